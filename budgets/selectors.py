"""Reads of participatory budgets. Budgets, proposals and results are public; a ballot's choices
are its voter's (and the staff who entered it) only."""

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from budgets.filters import BudgetFilter
from budgets.models import Ballot, Budget, Proposal
from core.errors import NotFound
from core.filtering import apply_filters


def budgets(data=None) -> QuerySet:
    queryset = Budget.objects.select_related("community", "street").annotate(proposal_count=Count("proposals", distinct=True))
    return apply_filters(BudgetFilter, data, queryset).distinct()


def budget_get(budget_id: int) -> Budget:
    budget = Budget.objects.select_related("community", "street", "fund").filter(pk=budget_id).first()
    if budget is None:
        raise NotFound(_("No such budget."), code="budget_not_found")
    return budget


def proposals(budget: Budget) -> QuerySet:
    # Closed: by rank, the proposals not on the ballot (no rank) last, on both databases.
    order = [F("rank").asc(nulls_last=True), "id"] if budget.closed_at else ["id"]
    return Proposal.objects.filter(budget=budget).select_related("budget", "project", "organization").order_by(*order)


def proposal_get(proposal_id: int) -> Proposal:
    proposal = Proposal.objects.select_related("budget", "budget__community", "budget__street").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("No such proposal."), code="proposal_not_found")
    return proposal


def ballot_of(user, budget: Budget) -> Ballot | None:
    if not user.is_authenticated:
        return None
    return Ballot.objects.filter(budget=budget, voter=user).prefetch_related("choices__proposal").select_related("entered_by").first()


def ballot_counts(budget: Budget) -> dict:
    """How many people voted, online and on paper (each person once)."""
    rows = dict(Ballot.objects.filter(budget=budget).values_list("channel").annotate(n=Count("id")))
    online, paper = rows.get(Ballot.Channel.ONLINE, 0), rows.get(Ballot.Channel.PAPER, 0)
    return {"online": online, "paper": paper, "total": online + paper}
