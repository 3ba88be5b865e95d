"""What tasks, needs and projects share: the categories of help, and the statuses of the never published."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ELDER_CARE = "elder_care", _("Elder care")
    CHILDCARE = "childcare", _("Childcare")
    MOBILITY = "mobility", _("Mobility")
    DISABILITY = "disability", _("Disability help")
    COUNSELLING = "counselling", _("Counselling")
    REPAIR = "repair", _("Repair")
    CULTURE = "culture", _("Culture and sports")
    EDUCATION = "education", _("Education")
    ENVIRONMENT = "environment", _("Environment")
    OTHER = "other", _("Other")


# The statuses an object can have without ever having been published (a draft, a cancelled draft).
NEVER_PUBLISHED_STATUSES = ("draft", "cancelled")
