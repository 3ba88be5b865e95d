"""Care of the people served and serving: volunteer numbers, service cards (服务卡), guardians."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerNumber(models.Model):
    """A person's volunteer number (志愿者编号): the district's prefix and a serial, given once at
    their first claim and never changed, so records, certificates and exports name the person
    without an identity-card number. The serial is the row's id: the database hands out each one
    once, so two people signing up at the same moment never share a number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer_number", verbose_name=_("person"))
    number = models.CharField(_("volunteer number"), max_length=24, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("numbered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer number")
        verbose_name_plural = _("volunteer numbers")

    def __str__(self):
        return self.number or ""

    @staticmethod
    def format(prefix: str, serial: int) -> str:
        return f"{prefix}{serial:08d}"


class ServiceCard(models.Model):
    """A resident's printed service card (服务卡): a short code, also as a QR code, that the person
    served shows the volunteer to confirm a service. Renewing the card replaces the code; the old
    one stops working at once. Residents without a phone get theirs from staff."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_card", verbose_name=_("person"))
    code = models.CharField(_("card code"), max_length=16, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("service card")
        verbose_name_plural = _("service cards")

    def __str__(self):
        return f"{self.user} ({self.code[:4]}…)"

    @property
    def shown_code(self) -> str:
        """The code as printed: two groups of four, easy to read aloud and to type."""
        return f"{self.code[:4]}-{self.code[4:]}"


class Guardian(models.Model):
    """A family member or neighbour (家属/监护人) a resident names: they may confirm services for the
    resident and rate them, shown as acting for them. Only the resident names or removes them."""

    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("resident"))
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wards", verbose_name=_("guardian"))
    created_at = models.DateTimeField(_("named at"), auto_now_add=True)
    # The link is real only once the guardian accepted it (or staff recorded consent at the desk):
    # until then they may not act for the resident, and the resident sees their name masked.
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        constraints = [
            models.UniqueConstraint(fields=["resident", "guardian"], name="guardian_unique"),
            models.CheckConstraint(condition=~models.Q(resident=models.F("guardian")), name="guardian_not_self"),
        ]

    def __str__(self):
        return f"{self.guardian} → {self.resident}"
