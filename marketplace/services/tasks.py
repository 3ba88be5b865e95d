"""Tasks (micro-services): post, edit, publish, cancel, close, and the on-site check-in code.

Every state change goes through ``task_transition``, which checks the move against
``TASK_TRANSITIONS``, changes the row with a conditional UPDATE (so of two concurrent movers one
wins) and records who moved it, from what, to what, and when.
"""

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, Skill, User
from accounts.selectors import is_community_staff
from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.models import Category, Task, TaskSeries, TaskStatusChange
from marketplace.realtime import announce_task
from marketplace.signals import task_slots_added
from points.models import PointsAccount

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


def task_fields_problems(community: Community, f: TaskFields) -> list[ValidationFailed]:
    """Every rule the fields break, in the order of the form (so a page can show them all at once).
    Values a form could not parse come as None and are skipped: the form has its own error there.
    Normalises ``f`` (stripped text, skills without duplicates) as it goes."""
    problems: list[ValidationFailed] = []

    def bad(message, code, field):
        problems.append(ValidationFailed(message, code=code, field=field))

    f.title = (f.title or "").strip()
    f.location = (f.location or "").strip()
    f.description = (f.description or "").strip()
    if not f.title:
        bad(_("Give the task a title."), "required", "title")
    elif len(f.title) > 120:
        bad(_("A title may have at most 120 characters."), "too_long", "title")
    if f.category is not None and f.category not in Category.values:
        labels = ", ".join(str(label) for label in Category.labels)
        bad(_("Unknown category. Choose one of: %(labels)s.") % {"labels": labels}, "invalid_category", "category")
    starts, ends = f.starts_at, f.ends_at
    if (starts is not None and timezone.is_naive(starts)) or (ends is not None and timezone.is_naive(ends)):
        bad(_("Times need a time zone offset, e.g. 2026-12-01T09:00:00+08:00."), "invalid_time", "starts_at")
    elif starts is not None and ends is not None:
        if ends <= starts:
            bad(_("The task must end after it starts."), "invalid_time", "ends_at")
        elif ends - starts > timedelta(days=MAX_TASK_DAYS):
            bad(_("A task may last at most %(n)d days.") % {"n": MAX_TASK_DAYS}, "invalid_time", "ends_at")
    if starts is not None and not timezone.is_naive(starts) and starts > timezone.now() + timedelta(days=365 * MAX_TASK_YEARS_AHEAD):
        bad(_("A task may start at most %(n)d years from now.") % {"n": MAX_TASK_YEARS_AHEAD}, "invalid_time", "starts_at")
    if not f.location:
        bad(_("Say where the task takes place."), "required", "location")
    if f.slots is not None and (not isinstance(f.slots, int) or not 1 <= f.slots <= MAX_SLOTS):
        bad(_("Slots must be between 1 and %(n)d.") % {"n": MAX_SLOTS}, "invalid_slots", "slots")
    if f.points is not None and (not isinstance(f.points, int) or not 0 <= f.points <= MAX_TASK_POINTS):
        bad(_("Points must be between 0 and %(n)d.") % {"n": MAX_TASK_POINTS}, "invalid_points", "points")
    if (f.latitude is None) != (f.longitude is None):
        bad(_("Give both latitude and longitude, or neither."), "invalid_location", "latitude")
    elif f.latitude is not None and not (-90 <= f.latitude <= 90 and -180 <= f.longitude <= 180):
        bad(_("That is not a place on Earth."), "invalid_location", "latitude")
    names = []
    for raw in f.skills or []:
        name = (raw or "").strip()
        if name and name not in names:
            if len(name) > 40:
                bad(_("A skill may have at most 40 characters."), "too_long", "skills")
                break
            names.append(name)
    if len(names) > 10:
        bad(_("At most %(n)d skills.") % {"n": 10}, "too_many", "skills")
    f.skills = names
    if f.beneficiary is not None and not Membership.objects.filter(
        user=f.beneficiary, community=community, role=Membership.Role.RESIDENT
    ).exists():
        bad(_("The beneficiary must be a resident of this community."), "invalid_beneficiary", "beneficiary_id")
    return problems


def _check_fields(community: Community, f: TaskFields) -> TaskFields:
    """The fields, checked: the first problem is raised (its code is the API's), carrying the
    others (``also``), so a page shows every one of them at once."""
    problems = task_fields_problems(community, f)
    if problems:
        first = problems[0]
        first.also = problems[1:]
        raise first
    return f


def require_task_staff(actor: User, community_id: int) -> None:
    if not is_community_staff(actor, community_id):
        raise PermissionDenied(_("Only staff of this community can manage its tasks."))


@dataclass
class Repeat:
    """A task posted as a series: ``every`` "day" or "week", ``count`` occurrences (2 to 52)."""

    every: str
    count: int


REPEAT_STEP = {TaskSeries.Every.DAY: timedelta(days=1), TaskSeries.Every.WEEK: timedelta(weeks=1)}
UPDATE_SCOPES = ("this", "following")


def _check_repeat(repeat: Repeat) -> Repeat:
    if repeat.every not in REPEAT_STEP:
        raise ValidationFailed(_("A task repeats every day or every week."), code="invalid_repeat", field="repeat.every")
    if not isinstance(repeat.count, int) or isinstance(repeat.count, bool) or not 2 <= repeat.count <= 52:
        raise ValidationFailed(_("A series has 2 to 52 occurrences."), code="invalid_repeat", field="repeat.count")
    return repeat


def task_create(*, actor: User, community: Community, fields: TaskFields, draft: bool = False, need=None, repeat: Repeat | None = None) -> Task:
    """Staff post a task for their community: open at once, or as a draft to publish later. With
    ``repeat``, the whole series at once (all or nothing); returns the first occurrence."""
    require_task_staff(actor, community.pk)
    if repeat is None:
        return insert_task(actor=actor, community=community, fields=fields, draft=draft, need=need)
    return _insert_series(actor=actor, community=community, fields=fields, draft=draft, need=need, repeat=_check_repeat(repeat))


def _insert_series(*, actor: User, community: Community, fields: TaskFields, draft: bool, need, repeat: Repeat) -> Task:
    f = _check_fields(community, fields)
    step = REPEAT_STEP[repeat.every]
    occurrences = [replace(f, starts_at=f.starts_at + i * step, ends_at=f.ends_at + i * step, skills=list(f.skills)) for i in range(repeat.count)]
    _check_fields(community, occurrences[-1])  # the last one must still be within the limits
    with transaction.atomic():
        # Tasks reserve no points when posted; a series that could pay out more than the
        # community's pool holds would run out of points part-way, so it is refused whole.
        pool = PointsAccount.objects.filter(kind=PointsAccount.Kind.POOL, community=community).values_list("balance", flat=True).first() or 0
        total = f.points * f.slots * repeat.count
        if total > pool:
            raise Conflict(
                _("This series could pay %(total)d points (%(count)d × %(slots)d slots × %(points)d points), but the community's pool holds only %(pool)d. Post fewer occurrences or ask the district for a budget.")
                % {"total": total, "count": repeat.count, "slots": f.slots, "points": f.points, "pool": pool},
                code="series_over_budget",
            )
        series = TaskSeries.objects.create(community=community, every=repeat.every, count=repeat.count, created_by=actor)
        tasks = [insert_task(actor=actor, community=community, fields=o, draft=draft, need=need, series=series) for o in occurrences]
    return tasks[0]


def insert_task(*, actor: User, community: Community, fields: TaskFields, draft: bool = False, need=None, series=None) -> Task:
    """Check the fields and write the task. Callers decide who may post (staff, or an awarded
    organisation's administrator for its contract: ``orders.services.contract_task_create`` links the
    task to the contract on its own side, ``orders.ContractTask``)."""
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
            series=series,
            created_by=actor,
        )
        task.skills.set([Skill.objects.get_or_create(name=name)[0] for name in f.skills])
        TaskStatusChange.objects.create(task=task, from_status="", to_status=task.status, actor=actor)
        if not draft:
            announce_task(task.pk, "created")
    return task


EDITABLE = ("title", "description", "category", "starts_at", "ends_at", "location", "latitude", "longitude", "slots", "points", "beneficiary")


def _only_more_slots(task: Task, f: TaskFields) -> bool:
    """Whether the edit only adds slots (what staff may still do once people have claimed)."""
    same = all(getattr(task, name) == getattr(f, name) for name in EDITABLE if name != "slots")
    return same and set(task.skills.values_list("name", flat=True)) == set(f.skills) and f.slots > task.slots


def task_update(*, actor: User, task: Task, fields: TaskFields, scope: str = "this") -> Task:
    """Staff edit a task while nobody has claimed it (a claimant agreed to what they saw); once
    claimed, only more slots (the people waiting take them at once). With ``scope="following"``
    the later occurrences of its series that have not started change too (their times move by
    as much as this one's), all or none."""
    require_task_staff(actor, task.community_id)
    if scope not in UPDATE_SCOPES:
        raise ValidationFailed(_("Choose this occurrence or this and the following ones."), code="invalid_scope", field="scope")
    f = _check_fields(task.community, fields)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        was_at, moved_by, length = locked.starts_at, f.starts_at - locked.starts_at, f.ends_at - f.starts_at
        _update_one(locked, f)
        if scope == "following" and locked.series_id is not None:
            later = Task.objects.select_for_update().filter(
                series_id=locked.series_id, starts_at__gt=max(was_at, timezone.now()), status__in=[S.DRAFT, S.OPEN, S.FULL]
            ).exclude(pk=locked.pk).order_by("starts_at", "id")
            for other in later:
                start = other.starts_at + moved_by
                _update_one(other, _check_fields(task.community, replace(f, starts_at=start, ends_at=start + length, skills=list(f.skills))))
    return locked


def _update_one(locked: Task, f: TaskFields) -> None:
    if locked.status not in (S.DRAFT, S.OPEN, S.FULL):
        raise Conflict(_("Only a draft or open task can be edited."), code="invalid_transition")
    more_slots = locked.claims.exists() and _only_more_slots(locked, f)
    if locked.claims.exists() and not more_slots:
        raise Conflict(
            _("Someone has claimed this task; it can no longer be edited, except to add slots. Cancel it and post a new one."),
            code="task_has_claims",
        )
    if locked.status == S.FULL and not more_slots:
        raise Conflict(_("Only a draft or open task can be edited."), code="invalid_transition")
    for name in EDITABLE:
        setattr(locked, name, getattr(f, name))
    locked.save()
    locked.skills.set([Skill.objects.get_or_create(name=name)[0] for name in f.skills])
    if more_slots:
        # In this transaction: the people waiting take the new slots (orders.services.waitlist),
        # and a full task with a slot still free opens again.
        task_slots_added.send(sender=Task, task=locked)
        announce_task(locked.pk, "updated")
        fresh = Task.objects.only("status", "slots", "slots_taken").get(pk=locked.pk)
        if fresh.status == S.FULL and fresh.slots_taken < fresh.slots:
            task_transition(task=locked, to=S.OPEN, actor=None, expected=S.FULL, note="slots added")
        locked.refresh_from_db()


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
    "task_fields_problems",
    "Repeat",
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
