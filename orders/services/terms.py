"""A project's terms (deadline, budget, criteria weights) lock once a bid exists: bidders priced
against them, and an earlier deadline would open sealed bids early. Staff, the API and the admin
all change terms through here, so the lock and the history entry cannot be skipped."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, ValidationFailed
from marketplace.models import Project
from marketplace.services.projects import MAX_BUDGET, criteria_clean, criteria_write, project_record_change, require_project_staff
from orders.models import Bid

# The terms bidders priced against: once a bid exists, changing them would reopen or reshape a
# sealed competition after the fact (an early deadline opens the bids early).
LOCKED_TERMS = ("budget", "currency", "bid_deadline")


def project_has_bids(project: Project) -> bool:
    return Bid.objects.filter(project_id=project.pk).exists()


def require_project_terms_open(*, project: Project, changed: set[str] | list[str] = (), criteria_changed: bool = False) -> None:
    """Refuse (409 ``project_terms_locked``) a change of the deadline, budget or criteria weights of
    a project that has a bid. Call inside the transaction that writes the change: the project row is
    locked first, as ``bid_submit`` locks it, so no bid can arrive between this check and the write."""
    if not (set(changed) & set(LOCKED_TERMS)) and not criteria_changed:
        return
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if project_has_bids(project):
        raise Conflict(
            _("Bids have been made on this project: its deadline, budget and criteria can no longer change."),
            code="project_terms_locked",
        )


def project_change_terms(
    *, actor: User, project: Project, budget: int | None = None, bid_deadline: datetime | None = None, criteria: list[tuple] | None = None
) -> Project:
    """Staff (or the district admin) change a project's budget, deadline or criteria, only while no
    bid exists; the change is written to the project's history."""
    require_project_staff(actor, project)
    changed = []
    with transaction.atomic():
        require_project_terms_open(project=project, changed={"budget", "bid_deadline"}, criteria_changed=criteria is not None)
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if budget is not None and budget != locked.budget:
            if not isinstance(budget, int) or isinstance(budget, bool) or not 1 <= budget <= MAX_BUDGET:
                raise ValidationFailed(_("The budget must be a positive whole number of fen (分)."), code="invalid_budget", field="budget")
            locked.budget = budget
            changed.append("budget")
        if bid_deadline is not None and bid_deadline != locked.bid_deadline:
            if timezone.is_naive(bid_deadline) or bid_deadline <= timezone.now():
                raise ValidationFailed(
                    _("The bid deadline must be in the future (with its time zone)."), code="invalid_deadline", field="bid_deadline"
                )
            locked.bid_deadline = bid_deadline
            changed.append("bid_deadline")
        if changed:
            locked.save(update_fields=changed)
        if criteria is not None:
            rows = criteria_clean(criteria)
            locked.criteria.all().delete()
            criteria_write(locked, rows)
            changed.append("criteria")
        if changed:
            project_record_change(actor=actor, project=locked, note=_("Changed: %(fields)s") % {"fields": ", ".join(changed)})
    return locked


__all__ = ["LOCKED_TERMS", "project_has_bids", "require_project_terms_open", "project_change_terms"]
