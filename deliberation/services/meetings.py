"""Stewards' meetings: call with an agenda, take attendance, put motions, vote, close, publish minutes.

Guarantees:
- only staff of the community run a meeting; once its minutes are published nothing changes it
  (409 ``meeting_published``);
- a vote is cast once per steward and motion (409 ``already_voted``), by a steward (403
  ``not_a_steward``) who is present (403 ``not_present``), while the motion is open (409
  ``motion_closed``); the unique constraint settles a double tap and a show of hands at once;
- closing counts the votes once: the motion row is locked (PostgreSQL) and moved with a conditional
  UPDATE ``WHERE status = 'open'`` (SQLite queues writers), so a vote never lands after the count and
  a second close gets 409 ``motion_closed``;
- a motion passes with more votes for than against and more than half of the stewards present voting;
- every move of a meeting or motion writes its history row (who, when, from, to).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, User
from accounts.selectors import is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from deliberation.models import Attendance, Issue, Meeting, MeetingStatusChange, Motion, MotionStatusChange, MotionVote, Steward
from deliberation.selectors import is_present, is_steward, stewards_present
from deliberation.services.common import clean_text, require_staff
from resources import services as resources_services
from resources.models import Venue

__all__ = ["meeting_call", "attendance_record", "motion_put", "motion_vote", "motion_close", "minutes_publish", "motion_outcome"]

MAX_AGENDA = 50
MAX_ATTENDANCE = 500
MEETING_HOURS = 2  # a meeting that reserves its room without saying when it ends holds it this long


def _open_meeting(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.CALLED:
        raise Conflict(_("The minutes of this meeting are published; it cannot change."), code="meeting_published")


@transaction.atomic
def meeting_call(*, actor: User, community: Community, title: str, starts_at: datetime, location: str, issue_ids: list[int],
                 venue: Venue | None = None, ends_at: datetime | None = None) -> Meeting:
    """Staff call a meeting with an agenda of the community's undecided issues; the stewards are told.
    With a ``venue`` (a room of the same community) the room is booked, confirmed, from ``starts_at``
    to ``ends_at`` (default two hours, at most the room's longest booking) in the same transaction:
    a room already held refuses the meeting too (409 ``venue_taken``), nothing written."""
    require_staff(actor, community.pk)
    title = clean_text(title, field="title", max_length=120)
    if venue is not None and venue.community_id != community.pk:
        raise ValidationFailed(_("Choose a room of this community."), code="invalid_venue", field="venue_id")
    if venue is not None and not (location or "").strip():
        location = venue.name
    location = clean_text(location, field="location", max_length=120)
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationFailed(_("Give the time with its time zone."), code="invalid_time", field="starts_at")
    if ends_at is not None and timezone.is_naive(ends_at):
        raise ValidationFailed(_("Give the time with its time zone."), code="invalid_time", field="ends_at")
    ids = list(dict.fromkeys(issue_ids or []))
    if len(ids) > MAX_AGENDA:
        raise ValidationFailed(_("At most %(n)d issues on one agenda.") % {"n": MAX_AGENDA}, code="too_many_issues", field="issue_ids")
    issues = list(Issue.objects.filter(pk__in=ids, community=community).exclude(status=Issue.Status.DECIDED))
    if len(issues) != len(ids):
        raise ValidationFailed(_("Each issue must be an undecided issue of this community."), code="invalid_issue", field="issue_ids")
    if venue is not None:  # the room first: a taken room stops here, before the meeting exists
        ends_at = ends_at or starts_at + timedelta(hours=min(MEETING_HOURS, venue.max_hours))
        booking = resources_services.booking_request(actor=actor, venue=venue, starts_at=starts_at, ends_at=ends_at, purpose=title,
                                                     attendees=min(venue.capacity, max(1, Steward.objects.filter(community=community).count())))
        resources_services.booking_approve(actor=actor, booking=booking)
    meeting = Meeting.objects.create(community=community, title=title, starts_at=starts_at, location=location, created_by=actor)
    meeting.issues.set(issues)
    Issue.objects.filter(pk__in=ids).update(status=Issue.Status.ON_AGENDA)
    MeetingStatusChange.objects.create(meeting=meeting, from_status="", to_status=Meeting.Status.CALLED, actor=actor)
    when = date_format(timezone.localtime(starts_at), "Y-m-d H:i")
    url = reverse("deliberation:meeting", args=[meeting.pk])
    for steward in Steward.objects.filter(community=community).select_related("user"):
        notify(user=steward.user, kind="deliberation", code="meeting_called", params={"title": title, "when": when, "where": location}, url=url)
    return meeting


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, user_ids: list[int]) -> list[Attendance]:
    """Staff mark who is present (stewards, and residents who came to listen). Marking someone
    twice changes nothing; answers the whole attendance."""
    require_staff(actor, meeting.community_id)
    _open_meeting(meeting)
    ids = list(dict.fromkeys(user_ids or []))
    if len(ids) > MAX_ATTENDANCE:
        raise ValidationFailed(_("Too many people at once."), code="too_many_people", field="user_ids")
    members = set(Membership.objects.filter(community_id=meeting.community_id, user_id__in=ids).values_list("user_id", flat=True))
    if set(ids) - members:
        raise ValidationFailed(_("Everyone present must be a member of this community."), code="not_a_member", field="user_ids")
    already = set(meeting.attendance.values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, user_id=uid, recorded_by=actor) for uid in ids if uid not in already], ignore_conflicts=True
    )
    return list(meeting.attendance.select_related("user"))


@transaction.atomic
def motion_put(*, actor: User, meeting: Meeting, title: str, text: str = "", issue_id: int | None = None) -> Motion:
    """Staff put a motion to the stewards present, optionally on an issue of the agenda."""
    require_staff(actor, meeting.community_id)
    _open_meeting(meeting)
    title = clean_text(title, field="title", max_length=120)
    text = clean_text(text, field="text", max_length=8000, required=False)
    issue = None
    if issue_id is not None:
        issue = meeting.issues.filter(pk=issue_id).first()
        if issue is None:
            raise ValidationFailed(_("That issue is not on this meeting's agenda."), code="invalid_issue", field="issue_id")
    motion = Motion.objects.create(meeting=meeting, issue=issue, title=title, text=text, created_by=actor)
    MotionStatusChange.objects.create(motion=motion, from_status="", to_status=Motion.Status.OPEN, actor=actor)
    return motion


def _lock(motion: Motion) -> Motion:
    if connection.features.has_select_for_update:
        return Motion.objects.select_for_update().select_related("meeting").get(pk=motion.pk)
    return Motion.objects.select_related("meeting").get(pk=motion.pk)


def motion_vote(*, actor: User, motion: Motion, vote: str, on_behalf_of: int | None = None) -> MotionVote:
    """A steward present votes once; or staff record a steward's show of hands (``on_behalf_of``)."""
    if vote not in MotionVote.Choice.values:
        raise ValidationFailed(_("Vote for, against or abstain."), code="invalid_vote", field="vote")
    community_id = motion.meeting.community_id
    if on_behalf_of is not None:
        if not is_community_staff(actor, community_id):
            raise PermissionDenied(_("Only staff record a show of hands."), code="not_staff")
        voter = User.objects.filter(pk=on_behalf_of).first()
        if voter is None:
            raise PermissionDenied(_("Only stewards vote on motions."), code="not_a_steward")
    else:
        voter = actor
    with transaction.atomic():
        # The race this stops: a vote counted after the close. Votes and the close take the motion's lock.
        current = _lock(motion)
        if current.status != Motion.Status.OPEN:
            raise Conflict(_("Voting on this motion is closed."), code="motion_closed")
        if not is_steward(voter, community_id):
            raise PermissionDenied(_("Only stewards vote on motions."), code="not_a_steward")
        if not is_present(voter, current.meeting):
            raise PermissionDenied(_("Only stewards present at the meeting vote; staff mark attendance first."), code="not_present")
        if MotionVote.objects.filter(motion=current, user=voter).exists():
            raise Conflict(_("This vote is already recorded."), code="already_voted")
        try:
            with transaction.atomic():
                return MotionVote.objects.create(motion=current, user=voter, vote=vote, recorded_by=actor)
        except IntegrityError:  # the same steward's other tap won by a hair
            raise Conflict(_("This vote is already recorded."), code="already_voted") from None


def motion_outcome(votes_for: int, against: int, abstain: int, present: int) -> bool:
    """More for than against, with over half of the stewards present voting."""
    return votes_for > against and (votes_for + against + abstain) * 2 > present


@transaction.atomic
def motion_close(*, actor: User, motion: Motion) -> Motion:
    """Staff close the vote: the count is taken once and kept on the motion."""
    require_staff(actor, motion.meeting.community_id)
    current = _lock(motion)
    if current.status != Motion.Status.OPEN:
        raise Conflict(_("This motion is already closed."), code="motion_closed")
    counts = {choice: 0 for choice in MotionVote.Choice.values}
    for choice in current.votes.values_list("vote", flat=True):
        counts[choice] += 1
    present = stewards_present(current.meeting)
    passed = motion_outcome(counts["for"], counts["against"], counts["abstain"], present)
    to = Motion.Status.PASSED if passed else Motion.Status.FAILED
    changes = {
        "status": to, "votes_for": counts["for"], "votes_against": counts["against"], "votes_abstain": counts["abstain"],
        "stewards_present": present, "closed_at": timezone.now(),
    }
    if not Motion.objects.filter(pk=current.pk, status=Motion.Status.OPEN).update(**changes):
        raise Conflict(_("This motion is already closed."), code="motion_closed")
    MotionStatusChange.objects.create(motion=current, from_status=Motion.Status.OPEN, to_status=to, actor=actor)
    if current.issue_id:
        Issue.objects.filter(pk=current.issue_id).update(status=Issue.Status.DECIDED)
    for name, value in changes.items():
        setattr(motion, name, value)
    return motion


@transaction.atomic
def minutes_publish(*, actor: User, meeting: Meeting, text: str) -> Meeting:
    """Staff publish the minutes once every motion is closed; the meeting is then published with them."""
    require_staff(actor, meeting.community_id)
    text = clean_text(text, field="text", max_length=20000)
    if meeting.motions.filter(status=Motion.Status.OPEN).exists():
        raise Conflict(_("Close every motion before publishing the minutes."), code="motions_open")
    now = timezone.now()
    if not Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.CALLED).update(status=Meeting.Status.PUBLISHED, minutes=text, published_at=now):
        raise Conflict(_("The minutes of this meeting are published; it cannot change."), code="meeting_published")
    MeetingStatusChange.objects.create(meeting=meeting, from_status=Meeting.Status.CALLED, to_status=Meeting.Status.PUBLISHED, actor=actor)
    meeting.status, meeting.minutes, meeting.published_at = Meeting.Status.PUBLISHED, text, now
    return meeting
