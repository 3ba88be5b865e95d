"""Sealed bids, evaluation, the award, and the contract delivered by milestones.

Guarantees:
- a bid is accepted, revised or withdrawn only before the deadline, by the server's clock;
- before the deadline no one but the bidding organisation reads a bid (see orders.selectors);
- one live bid per organisation per project (a partial unique index backs the check);
- an award happens once, after the deadline, of a live bid; the other bids lose and are told;
- milestone shares sum to the awarded amount; each milestone is accepted once.
"""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import annual_reports
from accounts.models import Organization, OrganizationMember, User
from accounts.selectors import is_community_staff, is_organization_admin
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.uploads import check_attachment
from marketplace.models import Project, ProjectCriterion
from marketplace.services.projects import project_transition, require_project_staff
from marketplace.services.tasks import insert_task
from orders.models import Bid, BidScore, Contract, ContractTask, Milestone, Review
from orders.scoring import track_record_score, weighted_score  # noqa: F401  (weighted_score: re-exported for the services package)
from orders.selectors import organization_track_records


def _check_bid_fields(project: Project, amount: int, proposal: str) -> str:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise ValidationFailed(_("The amount must be a positive whole number of fen (分)."), code="invalid_amount", field="amount")
    if amount > project.budget:
        raise ValidationFailed(
            _("The amount may not exceed the project's budget of ¥%(budget)s.") % {"budget": f"{Decimal(project.budget) / 100:,.2f}"},
            code="amount_above_budget",
            field="amount",
        )
    proposal = (proposal or "").strip()
    if not proposal:
        raise ValidationFailed(_("Describe your proposal."), code="required", field="proposal")
    return proposal


def _require_open_for_bids(project: Project) -> None:
    if project.bidding_closed():
        raise Conflict(_("The bid deadline has passed."), code="bid_deadline_passed")
    if project.status != Project.Status.OPEN:
        raise Conflict(_("This project is not open for bids."), code="project_not_open")


def bid_submit(
    *, actor: User, project: Project, organization: Organization, amount: int, proposal: str, team: str = "", timeline: str = "", attachment=None
) -> Bid:
    """An administrator of a verified organisation bids, once per organisation, before the deadline."""
    if not is_organization_admin(actor, organization.pk):
        raise PermissionDenied(_("Only an administrator of the organisation can bid for it."), code="not_org_admin")
    if organization.status != Organization.Status.VERIFIED:
        raise PermissionDenied(_("Only a verified organisation can bid."), code="organization_not_verified")
    annual_reports.check_may_bid(organization)  # 年检 (#33): no bids while an overdue annual report is missing
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        _require_open_for_bids(locked)
        proposal = _check_bid_fields(locked, amount, proposal)
        check_attachment(attachment)
        already = Conflict(_("Your organisation has already bid for this project; revise that bid instead."), code="already_bid")
        if Bid.objects.filter(project=locked, organization=organization).exclude(status=Bid.Status.WITHDRAWN).exists():
            raise already
        try:
            with transaction.atomic():
                return Bid.objects.create(
                    project=locked,
                    organization=organization,
                    submitted_by=actor,
                    amount=amount,
                    proposal=proposal,
                    team=(team or "").strip(),
                    timeline=(timeline or "").strip(),
                    attachment=attachment or "",
                )
        except IntegrityError:
            raise already from None


def _bidder(actor: User, bid: Bid) -> None:
    if not is_organization_admin(actor, bid.organization_id):
        raise PermissionDenied(_("Only an administrator of the bidding organisation can change this bid."), code="not_org_admin")


def bid_revise(*, actor: User, bid: Bid, amount: int, proposal: str, team: str = "", timeline: str = "", attachment=None) -> Bid:
    _bidder(actor, bid)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=bid.project_id)
        _require_open_for_bids(project)
        locked = Bid.objects.select_for_update().get(pk=bid.pk)
        if locked.status != Bid.Status.SUBMITTED:
            raise Conflict(_("Only a submitted bid can be revised."), code="invalid_transition")
        locked.proposal = _check_bid_fields(project, amount, proposal)
        check_attachment(attachment)
        locked.amount, locked.team, locked.timeline = amount, (team or "").strip(), (timeline or "").strip()
        if attachment:
            locked.attachment = attachment
        locked.save()
    return locked


def bid_withdraw(*, actor: User, bid: Bid) -> Bid:
    _bidder(actor, bid)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=bid.project_id)
        _require_open_for_bids(project)
        if not Bid.objects.filter(pk=bid.pk, status=Bid.Status.SUBMITTED).update(status=Bid.Status.WITHDRAWN):
            raise Conflict(_("Only a submitted bid can be withdrawn."), code="invalid_transition")
    bid.refresh_from_db()
    return bid


def _move_to_evaluating(project: Project, actor: User) -> None:
    if project.status == Project.Status.OPEN:
        project_transition(project=project, to=Project.Status.EVALUATING, actor=actor, note="bid deadline passed")


def bid_score(*, actor: User, bid: Bid, scores: dict[int, int]) -> list[BidScore]:
    """A staff member scores a bid (0–100 per criterion) after the deadline; several staff may
    score, and each may revise their own scores until the award. A track-record criterion is not
    typed: it is scored from the organisation's record at that moment (``track_record_score``),
    kept with the scorer's other scores for audit."""
    project = bid.project
    require_project_staff(actor, project)
    if not project.bidding_closed():
        raise Conflict(_("Bids stay sealed until the deadline."), code="bidding_not_closed")
    if project.status not in (Project.Status.OPEN, Project.Status.EVALUATING):
        raise Conflict(_("This project is no longer being evaluated."), code="invalid_transition")
    if bid.status != Bid.Status.SUBMITTED:
        raise Conflict(_("Only a submitted bid can be scored."), code="invalid_bid")
    criteria = {c.pk: c for c in project.criteria.all()}
    computed = {pk for pk, c in criteria.items() if c.kind == ProjectCriterion.Kind.TRACK_RECORD}
    if not set(criteria) - computed <= set(scores) <= set(criteria):
        raise ValidationFailed(_("Score every criterion of the project, and only those."), code="invalid_scores", field="scores")
    scores = {pk: value for pk, value in scores.items() if pk not in computed}
    if any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 100 for v in scores.values()):
        raise ValidationFailed(_("Each score is a whole number from 0 to 100."), code="invalid_scores", field="scores")
    if computed:
        record = organization_track_records([bid.organization_id])[bid.organization_id]
        scores.update(dict.fromkeys(computed, track_record_score(record)["total"]))
    with transaction.atomic():
        _move_to_evaluating(Project.objects.select_for_update().get(pk=project.pk), actor)
        return [
            BidScore.objects.update_or_create(bid=bid, criterion=criteria[cid], scorer=actor, defaults={"score": value})[0]
            for cid, value in scores.items()
        ]


def project_award(*, actor: User, project: Project, bid: Bid, reason: str = "") -> Contract:
    """After the deadline, staff award one live bid (with a written reason, kept for audit); it
    becomes the contract, the other bids lose, and every bidder is told."""
    require_project_staff(actor, project)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if not locked.bidding_closed():
            raise Conflict(_("Bids can be awarded only after the deadline."), code="bidding_not_closed")
        if bid.project_id != locked.pk:
            raise ValidationFailed(_("That bid is for another project."), code="invalid_bid", field="bid_id")
        if locked.status not in (Project.Status.OPEN, Project.Status.EVALUATING):
            raise Conflict(_("This project has already been awarded or closed."), code="invalid_transition")
        won = Bid.objects.select_for_update().get(pk=bid.pk)
        if won.status != Bid.Status.SUBMITTED:
            raise Conflict(_("Only a submitted bid can win; this one is %(status)s.") % {"status": won.get_status_display()}, code="invalid_bid")
        project_transition(project=locked, to=Project.Status.AWARDED, actor=actor, note=(reason or "")[:300])
        Project.objects.filter(pk=locked.pk).update(award_reason=(reason or "").strip())
        Bid.objects.filter(pk=won.pk).update(status=Bid.Status.WON)
        losers = list(Bid.objects.filter(project=locked, status=Bid.Status.SUBMITTED).exclude(pk=won.pk).select_related("organization"))
        Bid.objects.filter(pk__in=[b.pk for b in losers]).update(status=Bid.Status.LOST)
        contract = Contract.objects.create(project=locked, bid=won, organization=won.organization, amount=won.amount, currency=locked.currency)
        for b, code in [(won, "bid_won")] + [(b, "bid_lost") for b in losers]:
            for admin in OrganizationMember.objects.filter(organization=b.organization, role="admin").select_related("user"):
                notify(user=admin.user, kind="bid_result", code=code, params={"p": locked.title}, url=reverse("projects:detail", args=[locked.pk]))
    return contract


def contract_set_milestones(*, actor: User, contract: Contract, items: list[tuple[str, date, int]]) -> list[Milestone]:
    """Staff set the contract's milestones (deliverable, due date, amount share). The shares must
    add up to the awarded amount. Possible until a milestone has been submitted."""
    require_project_staff(actor, contract.project)
    if not items:
        raise ValidationFailed(_("Give at least one milestone."), code="invalid_milestones", field="milestones")
    for deliverable, due, amount in items:
        if not (deliverable or "").strip() or not isinstance(amount, int) or amount < 1 or not isinstance(due, date):
            raise ValidationFailed(_("Each milestone needs a deliverable, a due date and a positive amount."), code="invalid_milestones", field="milestones")
    if sum(amount for _d, _due, amount in items) != contract.amount:
        raise ValidationFailed(
            _("The milestone shares add up to %(sum)s but the contract is for %(amount)s.")
            % {"sum": sum(a for _d, _due, a in items), "amount": contract.amount},
            code="milestones_do_not_sum",
            field="milestones",
        )
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.milestones.exclude(status=Milestone.Status.PENDING).exists():
            raise Conflict(_("Work on the milestones has started; they can no longer be changed."), code="invalid_transition")
        locked.milestones.all().delete()
        created = Milestone.objects.bulk_create(
            [Milestone(contract=locked, position=i, deliverable=d.strip(), due_date=due, amount=a) for i, (d, due, a) in enumerate(items)]
        )
        project = Project.objects.select_for_update().get(pk=locked.project_id)
        if project.status == Project.Status.AWARDED:
            project_transition(project=project, to=Project.Status.DELIVERING, actor=actor, note="milestones set")
    return created


def milestone_submit(*, actor: User, milestone: Milestone, evidence: str) -> Milestone:
    """The organisation submits a milestone with its evidence."""
    contract = milestone.contract
    if not OrganizationMember.objects.filter(organization=contract.organization, user=actor).exists():
        raise PermissionDenied(_("Only members of the contracted organisation can submit its milestones."))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationFailed(_("Describe the evidence of the work done."), code="required", field="evidence")
    if not Milestone.objects.filter(pk=milestone.pk, status__in=[Milestone.Status.PENDING, Milestone.Status.RETURNED]).update(
        status=Milestone.Status.SUBMITTED, evidence=evidence[:5000], submitted_at=timezone.now()
    ):
        raise Conflict(_("This milestone is not waiting for submission."), code="invalid_transition")
    milestone.refresh_from_db()
    return milestone


def _review_milestone(actor: User, milestone: Milestone) -> None:
    require_project_staff(actor, milestone.contract.project)


def milestone_accept(*, actor: User, milestone: Milestone) -> Milestone:
    """Staff accept a submitted milestone, once. When all are accepted the project is completed."""
    _review_milestone(actor, milestone)
    with transaction.atomic():
        if not Milestone.objects.filter(pk=milestone.pk, status=Milestone.Status.SUBMITTED).update(
            status=Milestone.Status.ACCEPTED, reviewed_by=actor, accepted_at=timezone.now()
        ):
            raise Conflict(_("Only a submitted milestone can be accepted."), code="invalid_transition")
        contract = Contract.objects.select_for_update().get(pk=milestone.contract_id)
        if not contract.milestones.exclude(status=Milestone.Status.ACCEPTED).exists():
            Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.COMPLETED, completed_at=timezone.now())
            project = Project.objects.select_for_update().get(pk=contract.project_id)
            project_transition(project=project, to=Project.Status.COMPLETED, actor=actor, note="all milestones accepted")
    milestone.refresh_from_db()
    return milestone


def milestone_return(*, actor: User, milestone: Milestone, comment: str) -> Milestone:
    _review_milestone(actor, milestone)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("Say what needs to change."), code="required", field="comment")
    if not Milestone.objects.filter(pk=milestone.pk, status=Milestone.Status.SUBMITTED).update(
        status=Milestone.Status.RETURNED, review_comment=comment[:500], reviewed_by=actor
    ):
        raise Conflict(_("Only a submitted milestone can be returned."), code="invalid_transition")
    milestone.refresh_from_db()
    return milestone


def contract_review(*, actor: User, contract: Contract, stars: int, comment: str = "") -> Review:
    """Once the project is completed, staff of its community review the organisation, once."""
    require_project_staff(actor, contract.project)
    if contract.status != Contract.Status.COMPLETED:
        raise Conflict(_("Only a completed project can be reviewed."), code="contract_not_completed")
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ValidationFailed(_("Give 1 to 5 stars."), code="invalid_stars", field="stars")
    already = Conflict(_("This project has already been reviewed."), code="already_reviewed")
    if Review.objects.filter(contract=contract).exists():
        raise already
    try:
        with transaction.atomic():
            return Review.objects.create(
                contract=contract, organization=contract.organization, author=actor, stars=stars, comment=(comment or "").strip()[:2000]
            )
    except IntegrityError:
        raise already from None


def contract_task_create(*, actor: User, contract: Contract, fields):
    """The contracted organisation's administrator posts micro-service tasks for the project,
    which volunteers claim as usual (this is where the five parties meet on one project)."""
    if not is_organization_admin(actor, contract.organization_id) and not is_community_staff(actor, contract.project.community_id):
        raise PermissionDenied(_("Only the contracted organisation's administrator or community staff can post its tasks."))
    if contract.status != Contract.Status.DELIVERING:
        raise Conflict(_("Tasks can be posted while the project is being delivered."), code="invalid_transition")
    with transaction.atomic():
        task = insert_task(actor=actor, community=contract.project.community, fields=fields)
        ContractTask.objects.create(contract=contract, task=task)
    return task


__all__ = [
    "bid_submit",
    "bid_revise",
    "bid_withdraw",
    "bid_score",
    "project_award",
    "contract_set_milestones",
    "milestone_submit",
    "milestone_accept",
    "milestone_return",
    "contract_review",
    "contract_task_create",
    "weighted_score",
]
