"""Tasks (micro-services): post, edit, publish, cancel, close, and the on-site check-in code.

Every state change goes through ``task_transition``, which checks the move against
``TASK_TRANSITIONS``, changes the row with a conditional UPDATE (so of two concurrent movers one
wins) and records who moved it, from what, to what, and when.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, Skill, User
from accounts.selectors import is_community_staff
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.models import Category, Task, TaskStatusChange
from marketplace.realtime import announce_task

S = Task.Status
TASK_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.OPEN, S.CANCELLED},
    S.OPEN: {S.FULL, S.IN_PROGRESS, S.DONE, S.CANCELLED, S.EXPIRED},
    S.FULL: {S.OPEN, S.IN_PROGRESS, S.DONE, S.CANCELLED, S.EXPIRED},
    S.IN_PROGRESS: {S.DONE, S.CANCELLED},
    S.DONE: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
}
MAX_SLOTS = 500
MAX_TASK_POINTS = 10_000
MAX_TASK_DAYS = 31
# A task far beyond any plan is a typo, and one at the calendar's edge (year 9999) has no local time
# to show: it broke the task board for everyone (found by the API fuzzer).
MAX_TASK_YEARS_AHEAD = 10


def task_transition(*, task: Task, to: str, actor: User | None, note: str = "", expected: str | None = None) -> bool:
    """Move a task to ``to`` if the move is allowed from its current status. Returns False (and
    writes nothing) when it is already there or another request moved it first."""
    current = expected or Task.objects.filter(pk=task.pk).values_list("status", flat=True).get()
    if current == to:
        return False
    if to not in TASK_TRANSITIONS[current]:
        raise Conflict(
            _("A task that is %(status)s cannot become %(to)s.") % {"status": Task.Status(current).label, "to": Task.Status(to).label},
            code="invalid_transition",
        )
    now = timezone.now()
    # Leaving the draft for a public status publishes the task; a draft cancelled stays unpublished.
    published = {"published_at": now} if current == S.DRAFT and to != S.CANCELLED else {}
    if not Task.objects.filter(pk=task.pk, status=current).update(status=to, updated_at=now, **published):
        return False
    TaskStatusChange.objects.create(task=task, from_status=current, to_status=to, actor=actor, note=note[:200])
    task.status = to
    if published:
        task.published_at = now
    announce_task(task.pk, "cancelled" if to == S.CANCELLED else "created" if current == S.DRAFT else "updated")
    return True


@dataclass
class TaskFields:
    title: str
    description: str
    category: str
    starts_at: datetime
    ends_at: datetime
    location: str
    slots: int
    points: int
    skills: list[str]
    beneficiary: User | None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _check_fields(community: Community, f: TaskFields) -> TaskFields:
    f.title = (f.title or "").strip()
    f.location = (f.location or "").strip()
    f.description = (f.description or "").strip()
    if not f.title:
        raise ValidationFailed(_("Give the task a title."), code="required", field="title")
    if len(f.title) > 120:
        raise ValidationFailed(_("A title may have at most 120 characters."), code="too_long", field="title")
    if not f.location:
        raise ValidationFailed(_("Say where the task takes place."), code="required", field="location")
    if f.category not in Category.values:
        labels = ", ".join(str(label) for label in Category.labels)
        raise ValidationFailed(_("Unknown category. Choose one of: %(labels)s.") % {"labels": labels}, code="invalid_category", field="category")
    if timezone.is_naive(f.starts_at) or timezone.is_naive(f.ends_at):
        raise ValidationFailed(_("Times need a time zone offset, e.g. 2026-12-01T09:00:00+08:00."), code="invalid_time", field="starts_at")
    if f.ends_at <= f.starts_at:
        raise ValidationFailed(_("The task must end after it starts."), code="invalid_time", field="ends_at")
    if f.ends_at - f.starts_at > timedelta(days=MAX_TASK_DAYS):
        raise ValidationFailed(_("A task may last at most %(n)d days.") % {"n": MAX_TASK_DAYS}, code="invalid_time", field="ends_at")
    if f.starts_at > timezone.now() + timedelta(days=365 * MAX_TASK_YEARS_AHEAD):
        raise ValidationFailed(
            _("A task may start at most %(n)d years from now.") % {"n": MAX_TASK_YEARS_AHEAD}, code="invalid_time", field="starts_at"
        )
    if not isinstance(f.slots, int) or not 1 <= f.slots <= MAX_SLOTS:
        raise ValidationFailed(_("Slots must be between 1 and %(n)d.") % {"n": MAX_SLOTS}, code="invalid_slots", field="slots")
    if not isinstance(f.points, int) or not 0 <= f.points <= MAX_TASK_POINTS:
        raise ValidationFailed(_("Points must be between 0 and %(n)d.") % {"n": MAX_TASK_POINTS}, code="invalid_points", field="points")
    if (f.latitude is None) != (f.longitude is None):
        raise ValidationFailed(_("Give both latitude and longitude, or neither."), code="invalid_location", field="latitude")
    if f.latitude is not None and not (-90 <= f.latitude <= 90 and -180 <= f.longitude <= 180):
        raise ValidationFailed(_("That is not a place on Earth."), code="invalid_location", field="latitude")
    if f.beneficiary is not None and not Membership.objects.filter(
        user=f.beneficiary, community=community, role=Membership.Role.RESIDENT
    ).exists():
        raise ValidationFailed(_("The beneficiary must be a resident of this community."), code="invalid_beneficiary", field="beneficiary_id")
    names = []
    for raw in f.skills or []:
        name = (raw or "").strip()
        if name and name not in names:
            if len(name) > 40:
                raise ValidationFailed(_("A skill may have at most 40 characters."), code="too_long", field="skills")
            names.append(name)
    if len(names) > 10:
        raise ValidationFailed(_("At most %(n)d skills.") % {"n": 10}, code="too_many", field="skills")
    f.skills = names
    return f


def require_task_staff(actor: User, community_id: int) -> None:
    if not is_community_staff(actor, community_id):
        raise PermissionDenied(_("Only staff of this community can manage its tasks."))


def task_create(*, actor: User, community: Community, fields: TaskFields, draft: bool = False, need=None) -> Task:
    """Staff post a task for their community: open at once, or as a draft to publish later."""
    require_task_staff(actor, community.pk)
    return insert_task(actor=actor, community=community, fields=fields, draft=draft, need=need)


def insert_task(*, actor: User, community: Community, fields: TaskFields, draft: bool = False, need=None, contract=None) -> Task:
    """Check the fields and write the task. Callers decide who may post (staff, or an awarded
    organisation's administrator for its contract)."""
    f = _check_fields(community, fields)
    if not draft and f.ends_at <= timezone.now():
        raise ValidationFailed(_("The task has already ended."), code="invalid_time", field="ends_at")
    with transaction.atomic():
        task = Task.objects.create(
            community=community,
            title=f.title,
            description=f.description,
            category=f.category,
            starts_at=f.starts_at,
            ends_at=f.ends_at,
            location=f.location,
            latitude=f.latitude,
            longitude=f.longitude,
            slots=f.slots,
            points=f.points,
            beneficiary=f.beneficiary,
            status=S.DRAFT if draft else S.OPEN,
            need=need,
            contract=contract,
            created_by=actor,
        )
        task.skills.set([Skill.objects.get_or_create(name=name)[0] for name in f.skills])
        TaskStatusChange.objects.create(task=task, from_status="", to_status=task.status, actor=actor)
        if not draft:
            announce_task(task.pk, "created")
    return task


def task_update(*, actor: User, task: Task, fields: TaskFields) -> Task:
    """Staff edit a task while nobody has claimed it (a claimant agreed to what they saw)."""
    require_task_staff(actor, task.community_id)
    f = _check_fields(task.community, fields)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status not in (S.DRAFT, S.OPEN):
            raise Conflict(_("Only a draft or open task can be edited."), code="invalid_transition")
        if locked.claims.exists():
            raise Conflict(_("Someone has claimed this task; it can no longer be edited. Cancel it and post a new one."), code="task_has_claims")
        for name in ("title", "description", "category", "starts_at", "ends_at", "location", "latitude", "longitude", "slots", "points", "beneficiary"):
            setattr(locked, name, getattr(f, name))
        locked.save()
        locked.skills.set([Skill.objects.get_or_create(name=name)[0] for name in f.skills])
    return locked


def task_publish(*, actor: User, task: Task) -> Task:
    require_task_staff(actor, task.community_id)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status == S.DRAFT and locked.ends_at <= timezone.now():
            raise ValidationFailed(_("The task has already ended."), code="invalid_time", field="ends_at")
        task_transition(task=locked, to=S.OPEN, actor=actor, expected=locked.status)
    return locked


def task_complete(*, actor: User, task: Task) -> Task:
    """Staff mark a task done once it has ended (verification of its claims may go on)."""
    require_task_staff(actor, task.community_id)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.ends_at > timezone.now():
            raise Conflict(_("The task has not ended yet."), code="invalid_transition")
        task_transition(task=locked, to=S.DONE, actor=actor, expected=locked.status)
    return locked


# --- The on-site check-in code ---------------------------------------------------------------
CODE_WINDOW = timedelta(minutes=10)


def _code_for(task_id: int, window: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"checkin:{task_id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _window(now: datetime) -> int:
    return int(now.timestamp() // CODE_WINDOW.total_seconds())


def task_checkin_code(*, actor: User, task: Task, now: datetime | None = None) -> tuple[str, datetime]:
    """The 6-digit code staff show on site. It rotates every 10 minutes (derived from the secret
    key, the task and the time, so nothing is stored and every server process agrees)."""
    require_task_staff(actor, task.community_id)
    now = now or timezone.now()
    window = _window(now)
    expires_at = datetime.fromtimestamp((window + 1) * CODE_WINDOW.total_seconds(), tz=now.tzinfo or timezone.get_current_timezone())
    return _code_for(task.pk, window), expires_at


def checkin_code_is_valid(task: Task, code: str, now: datetime | None = None) -> bool:
    """The current code, or the previous one (someone read it just before it rotated)."""
    now = now or timezone.now()
    given = (code or "").strip()
    window = _window(now)
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a 500 before).
    return any(hmac.compare_digest(given.encode(), _code_for(task.pk, w).encode()) for w in (window, window - 1))


__all__ = [
    "TASK_TRANSITIONS",
    "TaskFields",
    "task_transition",
    "task_create",
    "insert_task",
    "task_update",
    "task_publish",
    "task_complete",
    "require_task_staff",
    "task_checkin_code",
    "checkin_code_is_valid",
    "CODE_WINDOW",
]
