"""Participatory budgets (民生实事项目票决): opening a budget, proposals and their review, ballots
(online and paper, one per person), the close and its count, and funding a winner.

Guarantees:
- the rules (amount, dates, maximum choices) and the reviews are locked once voting opens: 409
  ``budget_locked``, nothing written (CONSUL #5321: rules changed during a vote);
- a person is counted once, whether they vote on the phone or staff enter their paper ballot, and
  whatever the race: the ``ballot_once_per_person`` unique constraint decides (409
  ``already_voted``); ballots share the budget's row lock and the close takes it alone, so no ballot slips in
  after the count;
- a ballot never costs more than the amount (400 ``over_budget``) nor chooses more than the
  maximum (400 ``too_many_choices``); only feasible proposals of this budget can be chosen;
- winners are taken by ``budgets.winners.choose_winners`` (never over the amount, by votes);
- a winner becomes one funded project once (409 ``already_funded``): a marketplace project for
  bids, and a spending line of the budget's public fund (affairs), in one transaction.
"""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, Organization, OrganizationMember, Street, User
from accounts.selectors import is_community_staff
from affairs import services as affairs_services
from affairs.models import Fund
from budgets.models import Ballot, BallotChoice, Budget, BudgetChange, Proposal, ProposalStatusChange
from budgets.winners import Candidate, choose_winners
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.services import project_create

MAX_AMOUNT = 10**12  # fen
S = Budget.Status


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field)
    return value


def _money(value, *, field: str, code: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_AMOUNT:
        raise ValidationFailed(_("The amount must be a positive whole number of fen (分)."), code=code, field=field)
    return value


def may_manage(actor: User, budget: Budget) -> bool:
    """Staff of its community; the district admin for a street's budget (and any)."""
    if budget.community_id:
        return is_community_staff(actor, budget.community_id)
    return bool(actor.is_authenticated and actor.is_superuser)


def area_members(budget: Budget):
    members = Membership.objects.all()
    return members.filter(community_id=budget.community_id) if budget.community_id else members.filter(community__street_id=budget.street_id)


def is_area_resident(user: User, budget: Budget) -> bool:
    return area_members(budget).filter(user=user, role=Membership.Role.RESIDENT).exists()


def _check_rules(*, amount, voting_opens: datetime, voting_closes: datetime, max_choices) -> None:
    _money(amount, field="amount", code="invalid_amount")
    if timezone.is_naive(voting_opens) or timezone.is_naive(voting_closes):
        raise ValidationFailed(_("Give the times with their time zone."), code="invalid_dates", field="voting_opens")
    if voting_closes <= voting_opens:
        raise ValidationFailed(_("Voting must close after it opens."), code="invalid_dates", field="voting_closes")
    if voting_closes <= timezone.now():
        raise ValidationFailed(_("Voting must close in the future."), code="invalid_dates", field="voting_closes")
    if max_choices is not None and (not isinstance(max_choices, int) or not 1 <= max_choices <= 100):
        raise ValidationFailed(_("The most projects on one ballot must be between 1 and 100, or empty."), code="invalid_max_choices",
                               field="max_choices")


def budget_create(
    *, actor: User, title: str, amount: int, voting_opens: datetime, voting_closes: datetime, community: Community | None = None,
    street: Street | None = None, max_choices: int | None = None, description: str = "",
) -> Budget:
    """Staff open a budget for their community; the district admin for a street."""
    if (community is None) == (street is None):
        raise ValidationFailed(_("Choose a community or a street."), code="invalid_area", field="community_id")
    probe = Budget(community=community, street=street)
    if not may_manage(actor, probe):
        raise PermissionDenied(_("Only staff of the community (or the district admin for a street) open a budget."))
    title = _text(title, field="title", max_length=120)
    description = _text(description, field="description", max_length=4000, required=False)
    _check_rules(amount=amount, voting_opens=voting_opens, voting_closes=voting_closes, max_choices=max_choices)
    with transaction.atomic():
        budget = Budget.objects.create(
            community=community, street=street, title=title, description=description, amount=amount, voting_opens=voting_opens,
            voting_closes=voting_closes, max_choices=max_choices, created_by=actor,
        )
        BudgetChange.objects.create(budget=budget, action=BudgetChange.Action.OPENED, actor=actor)
    return budget


def _lock(budget: Budget) -> Budget:
    return Budget.objects.select_for_update().get(pk=budget.pk)


def _share_lock(budget: Budget) -> Budget:
    """The budget as it is now, with a shared lock on its row (PostgreSQL ``FOR SHARE``): ballots
    hold it together and do not wait on each other, while the close's ``FOR UPDATE`` waits for
    every ballot in flight, so none is counted after the close and none slips in after it. (SQLite:
    every write transaction is IMMEDIATE, so writers queue anyway.)"""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Budget._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR SHARE", [budget.pk])  # noqa: S608 (a quoted table name)
    return Budget.objects.get(pk=budget.pk)


def budget_update(
    *, actor: User, budget: Budget, title: str, amount: int, voting_opens: datetime, voting_closes: datetime,
    max_choices: int | None = None, description: str = "",
) -> Budget:
    """Change the rules while proposals are taken; 409 ``budget_locked`` once voting has opened."""
    if not may_manage(actor, budget):
        raise PermissionDenied(_("Only staff of the community (or the district admin for a street) change a budget."))
    title = _text(title, field="title", max_length=120)
    description = _text(description, field="description", max_length=4000, required=False)
    with transaction.atomic():
        locked = _lock(budget)
        if locked.status != S.PROPOSING:
            raise Conflict(_("Voting has opened: the rules of this budget can no longer change."), code="budget_locked")
        _check_rules(amount=amount, voting_opens=voting_opens, voting_closes=voting_closes, max_choices=max_choices)
        locked.title, locked.description, locked.amount = title, description, amount
        locked.voting_opens, locked.voting_closes, locked.max_choices = voting_opens, voting_closes, max_choices
        locked.save(update_fields=["title", "description", "amount", "voting_opens", "voting_closes", "max_choices"])
        BudgetChange.objects.create(budget=locked, action=BudgetChange.Action.CHANGED, actor=actor)
    return locked


def proposal_create(*, actor: User, budget: Budget, title: str, text: str, cost: int, organization: Organization | None = None) -> Proposal:
    """A resident of the area, or a member of a verified organisation, proposes a project with its
    cost, while the budget takes proposals (409 ``proposals_closed`` after)."""
    if organization is not None:
        if not OrganizationMember.objects.filter(organization=organization, user=actor).exists():
            raise PermissionDenied(_("You are not a member of that organisation."))
        if organization.status != Organization.Status.VERIFIED:
            raise PermissionDenied(_("Only a verified organisation can propose."), code="organization_not_verified")
    elif not area_members(budget).filter(user=actor).exists():
        raise PermissionDenied(_("Only people of this area and organisations can propose projects."), code="not_a_member")
    title = _text(title, field="title", max_length=120)
    text = _text(text, field="text", max_length=4000)
    cost = _money(cost, field="cost", code="invalid_cost")
    if cost > budget.amount:
        raise ValidationFailed(_("The cost is more than the whole budget."), code="over_budget", field="cost")
    with transaction.atomic():
        if _lock(budget).status != S.PROPOSING:
            raise Conflict(_("Voting has opened: no more proposals."), code="proposals_closed")
        proposal = Proposal.objects.create(budget=budget, title=title, text=text, cost=cost, proposer=actor, organization=organization)
        ProposalStatusChange.objects.create(proposal=proposal, to_status=Proposal.Status.SUBMITTED, actor=actor)
    return proposal


def proposal_review(*, actor: User, proposal: Proposal, feasible: bool, reason: str = "") -> Proposal:
    """Staff mark a proposal feasible or not, with a reason everybody reads (required when not
    feasible). Possible again until voting opens; then 409 ``budget_locked``."""
    if not may_manage(actor, proposal.budget):
        raise PermissionDenied(_("Only staff of the community review its proposals."))
    reason = _text(reason, field="reason", max_length=500, required=not feasible)
    to = Proposal.Status.FEASIBLE if feasible else Proposal.Status.INFEASIBLE
    with transaction.atomic():
        if _lock(proposal.budget).status != S.PROPOSING:
            raise Conflict(_("Voting has opened: the proposals on the ballot can no longer change."), code="budget_locked")
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        ProposalStatusChange.objects.create(proposal=current, from_status=current.status, to_status=to, reason=reason, actor=actor)
        current.status, current.review_reason = to, reason
        current.save(update_fields=["status", "review_reason"])
    return current


def ballot_cast(*, actor: User, budget: Budget, proposal_ids: list[int], on_behalf_of: User | None = None) -> Ballot:
    """A resident of the area votes once; staff enter a paper ballot for one (``on_behalf_of``),
    recorded as entered by them. Refusals write nothing."""
    voter = on_behalf_of or actor
    if on_behalf_of is not None and not may_manage(actor, budget):
        raise PermissionDenied(_("Only staff of the community enter paper ballots."))
    if not is_area_resident(voter, budget):
        raise PermissionDenied(_("Only residents of this area vote in its budget."), code="not_a_resident")
    ids = list(proposal_ids or [])
    if not ids or len(set(ids)) != len(ids):
        raise ValidationFailed(_("Choose one or more different projects."), code="invalid_choice", field="proposal_ids")
    if budget.max_choices is not None and len(ids) > budget.max_choices:
        raise ValidationFailed(_("Choose at most %(n)d projects.") % {"n": budget.max_choices}, code="too_many_choices", field="proposal_ids")
    chosen = list(Proposal.objects.filter(budget=budget, pk__in=ids, status=Proposal.Status.FEASIBLE))
    if len(chosen) != len(ids):
        raise ValidationFailed(_("Only feasible projects of this budget can be chosen."), code="invalid_choice", field="proposal_ids")
    if sum(p.cost for p in chosen) > budget.amount:
        raise ValidationFailed(_("The projects you chose cost more than the budget."), code="over_budget", field="proposal_ids")
    try:
        with transaction.atomic():
            status = _share_lock(budget).status
            if status == S.PROPOSING:
                raise Conflict(_("Voting has not opened yet."), code="voting_not_open")
            if status != S.VOTING:
                raise Conflict(_("Voting has closed."), code="voting_closed")
            if Ballot.objects.filter(budget=budget, voter=voter).exists():
                raise Conflict(_("This person has already voted in this budget."), code="already_voted")
            paper = on_behalf_of is not None
            ballot = Ballot.objects.create(budget=budget, voter=voter, channel=Ballot.Channel.PAPER if paper else Ballot.Channel.ONLINE,
                                           entered_by=actor if paper else None)
            BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, proposal=p) for p in chosen])
    except IntegrityError:
        # The race this stops: the phone and the desk at the same moment. The unique constraint
        # lets one ballot in; the other is told, and nothing of it is written.
        raise Conflict(_("This person has already voted in this budget."), code="already_voted") from None
    return ballot


def budget_close(*, actor: User, budget: Budget) -> list[Proposal]:
    """End voting now (or count after ``voting_closes``): store each proposal's votes (online,
    paper), rank and outcome, and return the winners. Closing again returns the same winners."""
    if not may_manage(actor, budget):
        raise PermissionDenied(_("Only staff of the community close its budget."))
    with transaction.atomic():
        locked = _lock(budget)
        if locked.status == S.PROPOSING:
            raise Conflict(_("Voting has not opened yet."), code="voting_not_open")
        if locked.status != S.CLOSED:
            feasible = list(
                Proposal.objects.filter(budget=locked, status=Proposal.Status.FEASIBLE).annotate(
                    online=Count("choices", filter=Q(choices__ballot__channel=Ballot.Channel.ONLINE)),
                    paper=Count("choices", filter=Q(choices__ballot__channel=Ballot.Channel.PAPER)),
                )
            )
            by_id = {p.pk: p for p in feasible}
            for result in choose_winners(locked.amount, [Candidate(p.pk, p.online + p.paper, p.cost) for p in feasible]):
                p = by_id[result.id]
                p.votes_online, p.votes_paper, p.rank, p.outcome = p.online, p.paper, result.rank, result.outcome
            Proposal.objects.bulk_update(feasible, ["votes_online", "votes_paper", "rank", "outcome"])
            Proposal.objects.filter(budget=locked).exclude(status=Proposal.Status.FEASIBLE).update(outcome=Proposal.Outcome.NOT_ON_BALLOT)
            locked.closed_at, locked.closed_by = timezone.now(), actor
            locked.save(update_fields=["closed_at", "closed_by"])
            BudgetChange.objects.create(budget=locked, action=BudgetChange.Action.CLOSED, actor=actor)
    return list(Proposal.objects.filter(budget=budget, outcome=Proposal.Outcome.WON).order_by("rank"))


def proposal_fund(*, actor: User, proposal: Proposal, bid_deadline: datetime, community: Community | None = None) -> Proposal:
    """A winner becomes a funded project open for bids (marketplace), and its cost a spending line
    of the budget's public fund (affairs: source government), shown on the public funds page."""
    budget = proposal.budget
    if not may_manage(actor, budget):
        raise PermissionDenied(_("Only staff of the community fund its winning projects."))
    community = budget.community or community
    if community is None or (budget.street_id and community.street_id != budget.street_id):
        raise ValidationFailed(_("Choose the community of this street the project is for."), code="invalid_area", field="community_id")
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if current.outcome != Proposal.Outcome.WON:
            raise Conflict(_("Only a winning project of a closed budget can be funded."), code="not_a_winner")
        if current.project_id is not None:
            raise Conflict(_("This project is already funded."), code="already_funded")
        locked = _lock(budget)
        if locked.fund_id is None:
            locked.fund = affairs_services.fund_create(
                actor=actor, name=locked.title, source=Fund.Source.GOVERNMENT, amount=locked.amount,
                year=timezone.localtime(locked.voting_closes).year, community=locked.community,
            )
            locked.save(update_fields=["fund"])
        project = project_create(actor=actor, community=community, title=current.title, budget=current.cost, bid_deadline=bid_deadline,
                                 description=current.text)
        affairs_services.spending_line_record(actor=actor, fund=locked.fund, amount=current.cost, what=current.title,
                                              at=timezone.localdate(), project=project)
        current.project = project
        current.save(update_fields=["project"])
    return current
