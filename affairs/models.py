"""基层事务信息公开: 惠民政策 (policies), 便民服务事项 (service items), 惠民资金 and charity funds with
every spending line, and 监督举报 (supervision reports) with their tracking numbers and histories.

Every text field is plain text: pages escape it, nothing here is ever marked safe."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import StatusChange
from marketplace.search import bigrams


class PolicyCategory(models.TextChoices):
    ELDERLY = "elderly", _("Elderly care")
    DISABILITY = "disability", _("Disability support")
    MINIMUM_LIVING = "minimum_living", _("Minimum living allowance")
    EMPLOYMENT = "employment", _("Employment")
    MEDICAL = "medical", _("Medical care")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


class ServiceItem(models.Model):
    """便民服务事项: where to go, what to bring, and (where the site offers it) where to apply online."""

    class OnlineAction(models.TextChoices):
        NONE = "none", _("No online application")
        NEED = "need", _("Submit a need")
        ASSISTANCE = "assistance", _("Apply for assistance")

    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=PolicyCategory.choices, default=PolicyCategory.OTHER)
    where = models.CharField(_("where to go"), max_length=200)
    how_to_apply = models.TextField(_("how to apply"), max_length=4000)
    documents = models.TextField(_("documents to bring"), max_length=2000, blank=True)
    community = models.ForeignKey(
        "accounts.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="service_items", verbose_name=_("community")
    )
    online_action = models.CharField(_("apply online"), max_length=12, choices=OnlineAction.choices, default=OnlineAction.NONE)
    search_grams = models.JSONField(default=list, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def save(self, *args, **kwargs):
        self.search_grams = bigrams(f"{self.name}\n{self.how_to_apply}\n{self.documents}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_grams"}
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name


class Policy(models.Model):
    """惠民政策: who issued it, since when, for whom (the summary), the text, and its service item."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=PolicyCategory.choices, db_index=True)
    issuer = models.CharField(_("issued by"), max_length=120)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("text"), max_length=20000, blank=True)
    effective_at = models.DateField(_("in force since"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    community = models.ForeignKey(
        "accounts.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="policies",
        verbose_name=_("community"), help_text=_("Empty: the whole district."),
    )
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="policies", verbose_name=_("service item")
    )
    search_grams = models.JSONField(default=list, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_at", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def save(self, *args, **kwargs):
        self.search_grams = bigrams(f"{self.title}\n{self.summary}\n{self.body}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_grams"}
        super().save(*args, **kwargs)

    def __str__(self):
        return self.title


class Fund(models.Model):
    """惠民资金 (government) or a charity fund such as the 群团公益基金. What was spent is the sum of
    its spending lines; services never let that sum pass the amount."""

    class Source(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        CHARITY = "charity", _("Charity")
        DONATIONS = "donations", _("Donations")

    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="cny")
    year = models.PositiveSmallIntegerField(_("year"))
    community = models.ForeignKey(
        "accounts.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="public_funds",
        verbose_name=_("community"), help_text=_("Empty: the whole district."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("public fund")
        verbose_name_plural = _("public funds")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=1), name="public_fund_amount_positive")]

    def __str__(self):
        return f"{self.year} {self.name}"


class SpendingLine(models.Model):
    """One use of a fund's money. Append-only: the public page and its export show every line."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="lines", verbose_name=_("fund"))
    at = models.DateField(_("date"))
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    what = models.CharField(_("what it paid for"), max_length=200)
    project = models.ForeignKey(
        "marketplace.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="public_spending", verbose_name=_("project")
    )
    voucher = models.FileField(_("voucher"), upload_to="fund-vouchers/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=1), name="spending_line_amount_positive")]

    def __str__(self):
        return f"{self.at} {self.what}"


class Report(models.Model):
    """监督举报. The author is always kept (abuse handling); for an anonymous report only the district
    admin may ever see it (affairs.selectors.report_author_for)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being handled")
        RESOLVED = "resolved", _("Resolved")
        UNFOUNDED = "unfounded", _("Unfounded")

    community = models.ForeignKey("accounts.Community", on_delete=models.PROTECT, related_name="reports", verbose_name=_("community"))
    subject = models.CharField(_("subject"), max_length=120)
    text = models.TextField(_("what happened"), max_length=4000)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_reports", verbose_name=_("author"))
    tracking_no = models.CharField(_("tracking number"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    reply = models.TextField(_("reply"), max_length=4000, blank=True)
    public = models.BooleanField(_("shown on the public list"), default=False)
    escalated = models.BooleanField(_("escalated to the district"), default=False)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("supervision report")
        verbose_name_plural = _("supervision reports")

    def __str__(self):
        return self.tracking_no

    @property
    def handled(self) -> bool:
        return self.status in (self.Status.RESOLVED, self.Status.UNFOUNDED)


class ReportStatusChange(StatusChange):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="history", verbose_name=_("report"))
    from_status = models.CharField(_("from"), max_length=12, choices=Report.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Report.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("report status change")
        verbose_name_plural = _("report status changes")
