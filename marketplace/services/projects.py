"""Funded projects (政府购买服务): publish with a budget, a bid deadline and weighted criteria.

A project moves draft → open → evaluating → awarded → delivering → completed, or cancelled, only
through ``project_transition`` (table ``PROJECT_TRANSITIONS``), which records who moved it.
Bids, the award and the contract are in ``orders.services.contracts``.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, User
from accounts.selectors import is_community_staff
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.models import Project, ProjectCriterion, ProjectStatusChange

P = Project.Status
PROJECT_TRANSITIONS: dict[str, set[str]] = {
    P.DRAFT: {P.OPEN, P.CANCELLED},
    P.OPEN: {P.EVALUATING, P.AWARDED, P.CANCELLED},
    P.EVALUATING: {P.AWARDED, P.CANCELLED},
    P.AWARDED: {P.DELIVERING, P.CANCELLED},
    P.DELIVERING: {P.COMPLETED},
    P.COMPLETED: set(),
    P.CANCELLED: set(),
}
DEFAULT_CRITERIA = [("服务方案", 40), ("经验与团队", 30), ("报价", 30)]
MAX_BUDGET = 10**12  # ten billion yuan in fen: anything above is a typo


def project_transition(*, project: Project, to: str, actor: User | None, note: str = "") -> bool:
    current = Project.objects.filter(pk=project.pk).values_list("status", flat=True).get()
    if current == to:
        return False
    if to not in PROJECT_TRANSITIONS[current]:
        raise Conflict(
            _("A project that is %(status)s cannot become %(to)s.") % {"status": Project.Status(current).label, "to": Project.Status(to).label},
            code="invalid_transition",
        )
    # Leaving the draft for a public status publishes the project; a draft cancelled stays unpublished.
    published = {"published_at": timezone.now()} if current == P.DRAFT and to != P.CANCELLED else {}
    if not Project.objects.filter(pk=project.pk, status=current).update(status=to, **published):
        raise Conflict(_("This project was changed by someone else; please reload."), code="invalid_transition")
    ProjectStatusChange.objects.create(project=project, from_status=current, to_status=to, actor=actor, note=note[:300])
    project.status = to
    if published:
        project.published_at = published["published_at"]
    return True


def project_record_change(*, actor: User | None, project: Project, note: str) -> ProjectStatusChange:
    """Write a change that is not a move (an edit in the admin) to the project's history."""
    status = Project.objects.filter(pk=project.pk).values_list("status", flat=True).get()
    return ProjectStatusChange.objects.create(project=project, from_status=status, to_status=status, actor=actor, note=note[:300])


def require_project_staff(actor: User, project: Project) -> None:
    if not is_community_staff(actor, project.community_id):
        raise PermissionDenied(_("Only staff of this community can manage its projects."))


def criteria_clean(criteria) -> list[tuple[str, int, str]]:
    """Evaluation criteria as ``(name, weight)`` or ``(name, weight, kind)``: each named, weighing at
    least 1 %, together 100 %, and at most one of them the organisation's track record."""
    rows = []
    for row in criteria:
        name, weight, kind = (*row, ProjectCriterion.Kind.SCORED)[:3]
        rows.append(((name or "").strip(), weight, kind))
    if any(not name or len(name) > 60 or not isinstance(weight, int) or isinstance(weight, bool) or weight < 1 for name, weight, _k in rows):
        raise ValidationFailed(_("Each criterion needs a name and a weight of at least 1%."), code="invalid_criteria", field="criteria")
    if any(kind not in ProjectCriterion.Kind.values for _n, _w, kind in rows):
        raise ValidationFailed(_("Unknown kind of criterion."), code="invalid_criteria", field="criteria")
    if sum(kind == ProjectCriterion.Kind.TRACK_RECORD for _n, _w, kind in rows) > 1:
        raise ValidationFailed(_("The track record can be one criterion only."), code="invalid_criteria", field="criteria")
    if sum(weight for _name, weight, _k in rows) != 100:
        raise ValidationFailed(_("The weights of the criteria must add up to 100%."), code="invalid_criteria", field="criteria")
    return rows


def criteria_write(project: Project, rows: list[tuple[str, int, str]]) -> None:
    ProjectCriterion.objects.bulk_create(
        [ProjectCriterion(project=project, name=name, weight=weight, kind=kind, position=i) for i, (name, weight, kind) in enumerate(rows)]
    )


def project_create(
    *,
    actor: User,
    community: Community,
    title: str,
    budget: int,
    bid_deadline: datetime,
    description: str = "",
    currency: str | None = None,
    service_starts: date | None = None,
    service_ends: date | None = None,
    criteria: list[tuple[str, int]] | None = None,
    required_documents: str = "",
    draft: bool = False,
) -> Project:
    """Staff publish a funded project of their community, open for bids until the deadline."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can publish projects."))
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ValidationFailed(_("Give the project a title of at most 120 characters."), code="required", field="title")
    if not isinstance(budget, int) or isinstance(budget, bool) or not 1 <= budget <= MAX_BUDGET:
        raise ValidationFailed(_("The budget must be a positive whole number of fen (分)."), code="invalid_budget", field="budget")
    currency = (currency or settings.CURRENCY).lower()
    if currency != settings.CURRENCY:
        raise ValidationFailed(_("Projects are funded in %(c)s.") % {"c": settings.CURRENCY.upper()}, code="invalid_currency", field="currency")
    if timezone.is_naive(bid_deadline) or bid_deadline <= timezone.now():
        raise ValidationFailed(_("The bid deadline must be in the future (with its time zone)."), code="invalid_deadline", field="bid_deadline")
    if service_starts and service_ends and service_ends < service_starts:
        raise ValidationFailed(_("The service period must end after it starts."), code="invalid_period", field="service_ends")
    rows = criteria_clean(criteria or DEFAULT_CRITERIA)
    with transaction.atomic():
        project = Project.objects.create(
            community=community,
            title=title,
            description=(description or "").strip(),
            budget=budget,
            currency=currency,
            service_starts=service_starts,
            service_ends=service_ends,
            bid_deadline=bid_deadline,
            required_documents=(required_documents or "").strip(),
            status=P.DRAFT if draft else P.OPEN,
            created_by=actor,
        )
        criteria_write(project, rows)
        ProjectStatusChange.objects.create(project=project, from_status="", to_status=project.status, actor=actor)
    return project


def project_publish(*, actor: User, project: Project) -> Project:
    require_project_staff(actor, project)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.bidding_closed():
            raise Conflict(_("The bid deadline has passed; set a new project."), code="bid_deadline_passed")
        project_transition(project=locked, to=P.OPEN, actor=actor)
    return locked


def project_cancel(*, actor: User, project: Project, reason: str) -> Project:
    require_project_staff(actor, project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the project is cancelled."), code="required", field="reason")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        project_transition(project=locked, to=P.CANCELLED, actor=actor, note=reason)
    return locked


__all__ = ["PROJECT_TRANSITIONS", "MAX_BUDGET", "project_transition", "project_create", "project_publish", "project_cancel", "require_project_staff",
           "project_record_change", "criteria_clean", "criteria_write"]
