"""The points ledger (积分), the points supermarket (积分超市) and redemptions.

Double entry: every movement of points is a ``LedgerTransaction`` with two or more
``LedgerEntry`` legs whose amounts sum to zero. Accounts:

- one **district source**, which may go negative: the district's budget is created there;
- per community, an issuance **pool** (budgeted by the district, pays awards) and a redemption
  **sink** (receives the points people spend);
- per person **and per community**, a personal account. Points are issued by one community's
  pool and spent in that community's supermarket, so a person's points stay with the community
  that gave them; ``GET /points/balance`` sums them for the person.

``PointsAccount.balance`` is a cache of the sum of the account's entries, updated in the same
transaction as each entry; ``manage.py points_audit`` proves the two agree.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import notices
from accounts.models import Community
from core.history import status_change_str


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("ledger rows are append-only")

    def delete(self):
        raise AppendOnlyError("ledger rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("ledger rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger rows are append-only")


class PointsAccount(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("District budget source")
        POOL = "pool", _("Community issuance pool")
        SINK = "sink", _("Community redemption sink")
        PERSON = "person", _("Personal account")
        # 通存通兑: one per ordered pair of allied communities (community, counterparty). The
        # community's clearing account toward B rises when its people's points are spent in B
        # (it owes B) and falls when B's people spend here; the mirror account (B, community) always
        # holds the opposite, so each community's books stay balanced. May go negative.
        CLEARING = "clearing", _("Clearing account with an allied community")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True, related_name="points_accounts", verbose_name=_("community"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="points_accounts", verbose_name=_("person")
    )
    counterparty = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("allied community"),
        help_text=_("Only for a clearing account: the community it clears with."),
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            # The last line of defence: no person or pool is ever below zero, whatever the code does.
            models.CheckConstraint(condition=Q(kind__in=["district", "clearing"]) | Q(balance__gte=0), name="points_account_not_negative"),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="district"), name="points_one_district_source"),
            models.UniqueConstraint(fields=["kind", "community"], condition=Q(kind__in=["pool", "sink"]), name="points_one_pool_sink_per_community"),
            models.UniqueConstraint(fields=["community", "user"], condition=Q(kind="person"), name="points_one_person_account_per_community"),
            models.UniqueConstraint(fields=["community", "counterparty"], condition=Q(kind="clearing"), name="points_one_clearing_per_pair"),
            models.CheckConstraint(
                condition=(
                    Q(kind="district", community__isnull=True, user__isnull=True, counterparty__isnull=True)
                    | Q(kind__in=["pool", "sink"], community__isnull=False, user__isnull=True, counterparty__isnull=True)
                    | Q(kind="person", community__isnull=False, user__isnull=False, counterparty__isnull=True)
                    | Q(kind="clearing", community__isnull=False, user__isnull=True, counterparty__isnull=False)
                ),
                name="points_account_owner_matches_kind",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.PERSON:
            return f"{self.user} @ {self.community}"
        if self.kind == self.Kind.DISTRICT:
            return str(self.Kind.DISTRICT.label)
        if self.kind == self.Kind.CLEARING:
            return f"{self.community} → {self.counterparty} · {self.get_kind_display()}"
        return f"{self.community} · {self.get_kind_display()}"


class LedgerTransaction(AppendOnlyModel):
    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        AWARD = "award", _("Award")
        REDEMPTION = "redemption", _("Redemption")
        REFUND = "refund", _("Refund")
        TRANSFER = "transfer", _("Transfer")
        EXPIRY = "expiry", _("Expiry")
        ADJUSTMENT = "adjustment", _("Adjustment")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by"),
        help_text=_("Empty when the system did it (e.g. an expired reservation)."),
    )
    # A retried award, refund or budget carries the same key and is written once.
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    # For a client's Idempotency-Key: a hash of the request it came with, so the same key with a
    # different request is refused (409 idempotency_key_reused) instead of answered as the first.
    # Nullable (empty for keys the system chose, and for rows older than it) so SQLite adds the
    # column in place: rebuilding the table would drop its append-only triggers.
    request_fingerprint = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    memo = models.CharField(_("reason"), max_length=200, blank=True)
    # What the system wrote (a service, a redemption, a gift) is a code of ``accounts.notices`` and
    # its parameters, read in each reader's language (``memo_text``); ``memo`` keeps the sentence as
    # first written, and what staff typed. Nullable, so SQLite adds the columns in place (see above).
    memo_code = models.CharField(_("reason code"), max_length=40, null=True, blank=True, editable=False)  # noqa: DJ001
    memo_params = models.JSONField(_("reason parameters"), null=True, blank=True, editable=False)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.memo_text}"

    @property
    def memo_text(self) -> str:
        """The reason in the active language."""
        return notices.render(self.memo_code, self.memo_params, self.memo) if self.memo_code else self.memo


class LedgerEntry(AppendOnlyModel):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transaction"))
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"))
    amount = models.BigIntegerField(_("amount"))
    balance_after = models.BigIntegerField(_("balance after"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero")]
        indexes = [models.Index(fields=["account", "-id"])]

    def __str__(self):
        return f"{self.account}: {self.amount:+d}"


class PointsRule(models.Model):
    """A community's earning rules: caps per person (例: 每人每日最多 N 分) and pickup time."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, related_name="points_rule", verbose_name=_("community"))
    daily_cap = models.PositiveIntegerField(_("daily cap per person"), null=True, blank=True, help_text=_("Empty: no cap."))
    lifetime_cap = models.PositiveIntegerField(_("lifetime cap per person"), null=True, blank=True, help_text=_("Empty: no cap."))
    reservation_days = models.PositiveSmallIntegerField(
        _("days to pick up a reward"), default=7, help_text=_("A reservation not picked up within this many days expires.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [models.CheckConstraint(condition=Q(reservation_days__gte=1), name="points_rule_reservation_days_positive")]

    def __str__(self):
        return str(self.community)


class Reward(models.Model):
    """An item of a community's points supermarket (积分超市)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="rewards", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    picture = models.FileField(_("picture"), upload_to="rewards/%Y/%m/", blank=True)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(_("stock"))
    per_person_limit = models.PositiveIntegerField(_("limit per person"), null=True, blank=True, help_text=_("Empty: no limit."))
    active_from = models.DateTimeField(_("available from"), null=True, blank=True)
    active_to = models.DateTimeField(_("available until"), null=True, blank=True)
    is_active = models.BooleanField(_("on the shelf"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["community_id", "cost", "name"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            # Stock is taken with a conditional UPDATE; this refuses an oversell even if that slipped.
            models.CheckConstraint(condition=Q(stock__gte=0), name="reward_stock_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=1), name="reward_cost_positive"),
        ]

    def __str__(self):
        return self.name


class Redemption(models.Model):
    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved, waiting for pickup")
        FULFILLED = "fulfilled", _("Picked up")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("person"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("community"))
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points paid"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RESERVED)
    code = models.CharField(_("pickup code"), max_length=8)
    created_at = models.DateTimeField(_("reserved at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("pick up before"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="redemption_quantity_positive")]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"#{self.pk} {self.reward} × {self.quantity}"


class RedemptionStatusChange(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="history", verbose_name=_("redemption"))
    from_status = models.CharField(_("from"), max_length=10, choices=Redemption.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Redemption.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("redemption status change")
        verbose_name_plural = _("redemption status changes")

    def __str__(self):
        return status_change_str(self)


class Alliance(models.Model):
    """通存通兑: communities whose people may spend points earned in one in the others'
    supermarkets. Made by the district admin; a community belongs to at most one alliance, so the
    clearing accounts of a pair of communities belong to one alliance only."""

    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by"))
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points alliance")
        verbose_name_plural = _("points alliances")

    def __str__(self):
        return self.name


class AllianceMember(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="members", verbose_name=_("alliance"))
    community = models.OneToOneField(Community, on_delete=models.PROTECT, related_name="points_alliance_member", verbose_name=_("community"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["alliance_id", "community_id"]
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")

    def __str__(self):
        return f"{self.alliance} · {self.community}"
