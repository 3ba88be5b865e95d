"""Reviews of a service (a claim) or of a contract's work, by the person served or for them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from orders.models.claims import Claim


class Review(models.Model):
    """1–5 stars for a delivered service, once per claim (by its beneficiary) or per contract (by
    staff of the project's community). Hidden, never deleted."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="review", verbose_name=_("claim"))
    contract = models.OneToOneField(
        "orders.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="review", verbose_name=_("contract")
    )
    # Who the review is about: the volunteer, and the organisation when they claimed for one.
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews_received", verbose_name=_("volunteer")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews", verbose_name=_("organisation")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written", verbose_name=_("beneficiary"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by staff"),
        help_text=_("Set when staff entered the review on the beneficiary's behalf."),
    )
    # Who entered it for the beneficiary: staff (代录, with a consent note) or a guardian they named.
    entered_as = models.CharField(
        _("entered as"), max_length=8, blank=True, choices=[("staff", _("Staff, on the beneficiary's behalf")), ("guardian", _("Guardian"))]
    )
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hidden by"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="review_stars_1_to_5"),
            # A review is of exactly one delivered thing: a claim or a contract.
            models.CheckConstraint(
                condition=Q(claim__isnull=False, contract__isnull=True) | Q(claim__isnull=True, contract__isnull=False), name="review_of_one_thing"
            ),
        ]

    def __str__(self):
        return f"{self.stars}★ {self.provider or self.organization}"
