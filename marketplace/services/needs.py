"""Residents' needs and their triage into major / minor / private matters (三事分流).

A need moves submitted → triaged → in progress → resolved or closed. Every change is kept in the
need's history with what the resident was told, and the resident is notified.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.assistance.services import acting_for_resident, consent_note_clean
from accounts.models import Community, Membership, Organization, User
from accounts.selectors import guardians_of, is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.masking import mask_name
from marketplace.models import Category, Need, NeedEvent, Task
from marketplace.services.tasks import task_create

N = Need.Status
NEED_TRANSITIONS: dict[str, set[str]] = {
    N.SUBMITTED: {N.TRIAGED, N.CLOSED},
    N.TRIAGED: {N.TRIAGED, N.IN_PROGRESS, N.RESOLVED, N.CLOSED},  # triaged → triaged: a new track or reply
    N.IN_PROGRESS: {N.RESOLVED, N.CLOSED},
    N.RESOLVED: set(),
    N.CLOSED: set(),
}


def need_event_record(*, need: Need, to: str, actor: User | None, note: str = "", note_code: str = "", note_params: dict | None = None, **kw) -> NeedEvent:
    """One line of the need's history: what staff wrote (``note``), or a sentence of the system as a
    code of ``accounts.notices`` with its parameters, read later in each reader's language."""
    note_params = note_params or {}
    if note_code:
        note = notices.render(note_code, note_params, note_code)
    return NeedEvent.objects.create(need=need, to_status=to, track=need.track, note=note, note_code=note_code, note_params=note_params, actor=actor, **kw)


def need_transition(
    *, need: Need, to: str, actor: User | None, note: str = "", note_code: str = "", note_params: dict | None = None, **fields
) -> Need:
    """Move a locked need on, record it, and tell the resident. Refuses moves the table forbids."""
    current = need.status
    if to not in NEED_TRANSITIONS[current]:
        raise Conflict(
            _("A need that is %(status)s cannot become %(to)s.") % {"status": need.get_status_display(), "to": Need.Status(to).label},
            code="invalid_transition",
        )
    if not Need.objects.filter(pk=need.pk, status=current).update(status=to, **fields):
        raise Conflict(_("This need was changed by someone else; please reload."), code="invalid_transition")
    for name, value in fields.items():
        setattr(need, name, value)
    need.status = to
    need_event_record(need=need, from_status=current, to=to, actor=actor, note=note, note_code=note_code, note_params=note_params)
    status = notices.label(Need.Status(need.status))
    notify(user=need.author, kind=f"need_{to}", code="need_status", params={"title": need.title, "status": status}, url=f"/needs/{need.pk}/")
    for link in guardians_of(need.author):  # they read the replies for the person they look after (#22)
        if link.guardian_id != getattr(actor, "pk", None):
            notify(
                user=link.guardian,
                kind=f"need_{to}",
                code="ward_need_status",
                params={"title": need.title, "name": mask_name(need.author.shown_name), "status": status},
                url=f"/needs/{need.pk}/",
            )
    return need


def _text(value: str, *, field: str, label: str, max_length: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("%(label)s is required.") % {"label": label}, code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s may have at most %(n)d characters.") % {"label": label, "n": max_length}, code="too_long", field=field
        )
    return text


def need_submit(
    *,
    actor: User,
    community: Community,
    title: str,
    description: str = "",
    category: str = "other",
    urgency: int = 2,
    anonymous: bool = False,
    on_behalf_of: int | None = None,
    consent_note: str = "",
) -> Need:
    """A resident member posts a need; it joins their community's triage queue. Staff of the
    community may post it for a resident of it (``on_behalf_of``, with a consent note): the
    resident is its author, and it is marked as entered by staff wherever it is shown."""
    author, entered_by, note = actor, None, ""
    if on_behalf_of is not None:
        if not is_community_staff(actor, community.pk):
            raise PermissionDenied(_("Only staff of this community can act on a resident's behalf."), code="not_staff")
        author = acting_for_resident(actor=actor, user_id=on_behalf_of, community_id=community.pk)
        entered_by, note = actor, consent_note_clean(consent_note)
    elif not Membership.objects.filter(user=actor, community=community, role=Membership.Role.RESIDENT).exists():
        raise PermissionDenied(_("Join this community as a resident to post a need."), code="not_a_resident")
    title = _text(title, field="title", label=_("Title"), max_length=120, required=True)
    description = _text(description, field="description", label=_("Description"), max_length=5000, required=False)
    if category not in Category.values:
        raise ValidationFailed(_("Unknown category."), code="invalid_category", field="category")
    if urgency not in Need.Urgency.values:
        raise ValidationFailed(_("Urgency must be 1 (can wait) to 4 (urgent)."), code="invalid_urgency", field="urgency")
    with transaction.atomic():
        need = Need.objects.create(
            community=community,
            author=author,
            title=title,
            description=description,
            category=category,
            urgency=urgency,
            anonymous=bool(anonymous),
            entered_by=entered_by,
            consent_note=note,
        )
        NeedEvent.objects.create(need=need, from_status="", to_status=N.SUBMITTED, actor=actor)
    return need


def _staff_of(actor: User, need: Need) -> None:
    if not is_community_staff(actor, need.community_id):
        raise PermissionDenied(_("Only staff of this community can handle its needs."))


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("author").get(pk=need.pk)


def need_triage(
    *, actor: User, need: Need, track: str, reply: str, department: str = "", organizations: list[Organization] | None = None
) -> Need:
    """Staff put a need on one track with a reply the resident sees: a major matter records the
    department it went to; a private one may point to organisations offering such services."""
    _staff_of(actor, need)
    if track not in Need.Track.values:
        labels = ", ".join(f"{value} ({label})" for value, label in Need.Track.choices)
        raise ValidationFailed(_("Unknown track. Choose one of: %(tracks)s.") % {"tracks": labels}, code="invalid_track", field="track")
    reply = _text(reply, field="reply", label=_("Reply"), max_length=2000, required=True)
    department = _text(department, field="department", label=_("Department"), max_length=120, required=track == Need.Track.MAJOR)
    organizations = organizations or []
    if any(org.status != Organization.Status.VERIFIED for org in organizations):
        raise ValidationFailed(_("Only verified organisations can be suggested."), code="invalid_organization", field="organization_ids")
    with transaction.atomic():
        locked = _locked(need)
        if locked.status not in (N.SUBMITTED, N.TRIAGED):
            raise Conflict(_("This need has already moved on and cannot be triaged again."), code="invalid_transition")
        need_transition(
            need=locked, to=N.TRIAGED, actor=actor, note=reply, track=track, reply=reply, department=department, triaged_at=timezone.now()
        )
        locked.suggested_organizations.set(organizations if track == Need.Track.PRIVATE else [])
    return locked


def need_create_task(*, actor: User, need: Need, fields) -> Task:
    """Turn a triaged minor (or private) need into a task of its community, linked to the need."""
    _staff_of(actor, need)
    with transaction.atomic():
        locked = _locked(need)
        if locked.status in (N.RESOLVED, N.CLOSED):
            raise Conflict(_("This need is %(status)s; it cannot become a task.") % {"status": locked.get_status_display()}, code="invalid_transition")
        if locked.status == N.SUBMITTED:
            raise Conflict(_("Triage the need before turning it into a task."), code="not_triaged")
        if locked.track == Need.Track.MAJOR:
            raise Conflict(_("A major matter goes to the government department, not to the market."), code="wrong_track")
        task = task_create(actor=actor, community=locked.community, fields=fields, need=locked)
        if locked.status == N.TRIAGED:
            need_transition(need=locked, to=N.IN_PROGRESS, actor=actor, note_code="need_task_posted", note_params={"title": task.title})
    return task


UNFINISHED_TASK_STATUSES = (Task.Status.DRAFT, Task.Status.OPEN, Task.Status.FULL, Task.Status.IN_PROGRESS)


def need_resolve(*, actor: User, need: Need, reply: str) -> Need:
    """Staff resolve a need with a reply, once the tasks made from it are finished."""
    _staff_of(actor, need)
    reply = _text(reply, field="reply", label=_("Reply"), max_length=2000, required=True)
    with transaction.atomic():
        locked = _locked(need)
        if locked.tasks.filter(status__in=UNFINISHED_TASK_STATUSES).exists():
            raise Conflict(_("Some tasks made from this need are not finished yet."), code="tasks_not_done")
        need_transition(need=locked, to=N.RESOLVED, actor=actor, note=reply, reply=reply, resolved_at=timezone.now())
    return locked


def need_close(*, actor: User, need: Need, reply: str = "") -> Need:
    """Staff close a need that will not be taken further (with a reply), or its author withdraws it."""
    is_author = need.author_id == actor.pk
    if not is_author:
        _staff_of(actor, need)
    reply = _text(reply, field="reply", label=_("Reply"), max_length=2000, required=not is_author)
    with transaction.atomic():
        locked = _locked(need)
        fields = {"reply": reply} if reply else {}
        if reply:
            need_transition(need=locked, to=N.CLOSED, actor=actor, note=reply, **fields)
        else:
            need_transition(need=locked, to=N.CLOSED, actor=actor, note_code="need_withdrawn")
    return locked


def need_mark_in_progress(*, actor: User, need: Need, note_code: str, note_params: dict) -> None:
    """Used when work starts from a need by another route (e.g. a consultation)."""
    locked = _locked(need)
    if locked.status == N.TRIAGED:
        need_transition(need=locked, to=N.IN_PROGRESS, actor=actor, note_code=note_code, note_params=note_params)


__all__ = [
    "NEED_TRANSITIONS",
    "need_event_record",
    "need_transition",
    "need_submit",
    "need_triage",
    "need_create_task",
    "need_resolve",
    "need_close",
    "need_mark_in_progress",
]
