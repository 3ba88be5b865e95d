from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "reach"
    verbose_name = _("Reminders, email and calendars")

    def ready(self):
        # Connects the email of notifications to accounts' Notification (a lower app cannot call us).
        from reach import signals  # noqa: F401, PLC0415  (Django's start-up order: models are ready only now)
