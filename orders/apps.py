from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from orders.services import waitlist  # noqa: F401, PLC0415  (connects the waiting list to task edits once the app registry is ready)
