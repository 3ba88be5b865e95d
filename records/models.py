"""Volunteer service certificates (志愿服务记录证明) as issued, kept for good.

The model moved here from ``orders`` keeping its table (``orders_certificate``) and its index's name:
``orders/0012_certificate_move_to_records`` and ``records/0001_initial`` move only Django's idea of it,
no row moves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A 志愿服务记录证明 as issued: who, by which community (谁记录谁证明: the community where the
    services were recorded), for which period, and the totals and lines exactly as certified that
    day. Kept for good and never edited, so a verification by its code still answers for what was
    certified even after the record changes."""

    code = models.CharField(_("verification code"), max_length=16, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("volunteer"))
    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issued by"))
    issuer_name = models.CharField(_("issuer"), max_length=200)
    volunteer_name = models.CharField(_("volunteer's name"), max_length=150)
    volunteer_no = models.CharField(_("volunteer number"), max_length=24)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    services = models.PositiveIntegerField(_("services"))
    hours = models.DecimalField(_("hours recorded"), max_digits=10, decimal_places=2)
    honour_hours = models.DecimalField(_("honour hours"), max_digits=10, decimal_places=2)
    lines = models.JSONField(_("services as certified"), default=list)
    language = models.CharField(_("language"), max_length=10)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        db_table = "orders_certificate"
        indexes = [models.Index(fields=["user", "community", "-issued_at"], name="orders_cert_user_id_261a0d_idx")]

    def __str__(self):
        return f"{self.code} · {self.volunteer_no}"

    @property
    def code_display(self) -> str:
        """The code in groups of four, as printed (XXXX-XXXX-XXXX-XXXX)."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))
