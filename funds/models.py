"""Money: charity donations (社会慈善资源) through Stripe to a community fund or a project, the
Stripe events that move them, and the spending recorded against them.

The tables keep the names they had when these models lived in ``orders``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Donation(models.Model):
    """Charity money (社会慈善资源) given through Stripe to a community fund or a project.

    Money is an integer in minor units (fen) with its currency. The status only moves forward
    (see funds.services.DONATION_RANK): a late or repeated webhook never undoes it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        FAILED = "failed", _("Payment failed")
        CANCELLED = "cancelled", pgettext_lazy("donation status", "Cancelled")
        SUCCEEDED = "succeeded", _("Received")
        REFUNDED = "refunded", _("Refunded")

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="donations", verbose_name=_("community fund"))
    project = models.ForeignKey("marketplace.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="donations", verbose_name=_("project"))
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations", verbose_name=_("donor"))
    donor_name = models.CharField(_("donor's name"), max_length=60, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    message = models.CharField(_("message"), max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    refunded_amount = models.PositiveBigIntegerField(_("refunded (minor units)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    succeeded_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        db_table = "orders_donation"  # the table it had when donations lived in orders
        ordering = ["-created_at", "-id"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_amount__lte=models.F("amount")), name="donation_refund_not_above_amount"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.amount} {self.currency}"

    @property
    def net_amount(self) -> int:
        return self.amount - self.refunded_amount if self.status in ("succeeded", "refunded") else 0


class StripeEvent(models.Model):
    """Every webhook event is stored once, by its id: a redelivery finds it and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_stripeevent"
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.event_id}"


class Spending(models.Model):
    """Money spent from a community fund or a project's donations. Append-only: a correction is a
    new row (with a negative amount if it gives money back) that names the row it corrects."""

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="spendings", verbose_name=_("community fund"))
    project = models.ForeignKey("marketplace.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="spendings", verbose_name=_("project"))
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    spent_on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    payee = models.CharField(_("payee"), max_length=120)
    voucher = models.FileField(_("voucher"), upload_to="vouchers/%Y/%m/", blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "orders_spending"
        ordering = ["-spent_on", "-id"]
        verbose_name = _("spending")
        verbose_name_plural = _("spendings")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("spending rows are append-only; record a correction instead")
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.spent_on} {self.purpose} ¥{self.amount / 100:,.2f}"
