"""Participatory budgets (民生实事项目票决): a budget staff open for a community (or the district
admin for a street), the projects residents and organisations propose, the ballots residents cast
online or staff enter from paper (one table, one ballot per person: a unique constraint), and the
results stored on each proposal at the close."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Organization, Street
from core.history import status_change_str


class Budget(models.Model):
    class Status(models.TextChoices):
        PROPOSING = "proposing", _("Taking proposals")
        VOTING = "voting", _("Voting")
        COUNTING = "counting", _("Voting ended, waiting for the count")
        CLOSED = "closed", _("Closed, results published")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True, related_name="budgets", verbose_name=_("community"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, null=True, blank=True, related_name="budgets", verbose_name=_("street"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="cny")
    voting_opens = models.DateTimeField(_("voting opens"))
    voting_closes = models.DateTimeField(_("voting closes"))
    max_choices = models.PositiveSmallIntegerField(_("most projects on one ballot"), null=True, blank=True, help_text=_("Empty: as many as fit the amount."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by"))
    fund = models.ForeignKey("affairs.Fund", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("public fund"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"))
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-voting_opens", "-id"]
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        constraints = [
            models.CheckConstraint(condition=Q(community__isnull=False, street__isnull=True) | Q(community__isnull=True, street__isnull=False),
                                   name="budget_community_or_street"),
            models.CheckConstraint(condition=Q(amount__gte=1), name="budget_amount_positive"),
            models.CheckConstraint(condition=Q(voting_closes__gt=models.F("voting_opens")), name="budget_voting_closes_after_opening"),
        ]

    def __str__(self):
        return self.title

    def status_at(self, now=None) -> str:
        now = now or timezone.now()
        if self.closed_at is not None:
            return self.Status.CLOSED
        if now < self.voting_opens:
            return self.Status.PROPOSING
        if now < self.voting_closes:
            return self.Status.VOTING
        return self.Status.COUNTING

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def area_name(self) -> str:
        return self.community.name if self.community_id else self.street.name


class BudgetChange(models.Model):
    """Who opened, changed or closed a budget, and when (the rules are locked once voting opens)."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened")
        CHANGED = "changed", _("Rules changed")
        CLOSED = "closed", _("Closed and counted")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="history", verbose_name=_("budget"))
    action = models.CharField(_("what"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")

    def __str__(self):
        return f"{self.budget}: {self.get_action_display()}"


class Proposal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        FEASIBLE = "feasible", _("Feasible")
        INFEASIBLE = "infeasible", _("Not feasible")

    class Outcome(models.TextChoices):
        WON = "won", _("Chosen: it fitted the amount in the order of votes")
        NO_ROOM = "no_room", _("Not chosen: not enough money was left when its turn came")
        NO_VOTES = "no_votes", _("Not chosen: no votes")
        NOT_ON_BALLOT = "not_on_ballot", _("Not on the ballot: not feasible")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("budget"))
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("what it is"), max_length=4000)
    cost = models.PositiveBigIntegerField(_("cost (fen)"))
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_reason = models.CharField(_("reason"), max_length=500, blank=True)
    votes_online = models.PositiveIntegerField(_("votes online"), default=0)
    votes_paper = models.PositiveIntegerField(_("votes on paper"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    outcome = models.CharField(_("result"), max_length=14, choices=Outcome.choices, blank=True)
    project = models.ForeignKey("marketplace.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("funded project"))
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["budget_id", "rank", "id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [models.CheckConstraint(condition=Q(cost__gte=1), name="proposal_cost_positive")]

    def __str__(self):
        return self.title

    @property
    def votes(self) -> int:
        return self.votes_online + self.votes_paper


class ProposalStatusChange(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="history", verbose_name=_("proposal"))
    from_status = models.CharField(_("from"), max_length=10, choices=Proposal.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Proposal.Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("proposal status change")
        verbose_name_plural = _("proposal status changes")

    def __str__(self):
        return status_change_str(self)


class Ballot(models.Model):
    """One per person and budget, online or on paper alike: the unique constraint is what makes a
    person counted once when they vote on the phone while staff enter their paper ballot."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper, entered by staff")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("budget"))
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("voter"))
    channel = models.CharField(_("how"), max_length=6, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entered on their behalf by")
    )
    proposals = models.ManyToManyField(Proposal, through="BallotChoice", related_name="+", verbose_name=_("chosen projects"))
    created_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["budget", "voter"], name="ballot_once_per_person"),
            models.CheckConstraint(condition=Q(channel="online", entered_by__isnull=True) | Q(channel="paper", entered_by__isnull=False),
                                   name="ballot_paper_has_clerk"),
        ]

    def __str__(self):
        return f"{self.budget} · {self.voter}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices", verbose_name=_("ballot"))
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="choices", verbose_name=_("proposal"))

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [models.UniqueConstraint(fields=["ballot", "proposal"], name="ballot_choice_once")]

    def __str__(self):
        return f"{self.ballot_id} → {self.proposal_id}"
