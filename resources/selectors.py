"""Reads for resources: rooms, their week (bookings and handover occurrences), bookings by who may
see them, use per room per month, talents, and community groups."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Organization, OrganizationMember
from accounts.selectors import is_community_staff, staff_communities
from core.errors import NotFound, ValidationFailed
from core.filtering import apply_filters
from resources.filters import BookingFilter, GroupActivityFilter, TalentFilter, VenueFilter
from resources.models import Booking, GroupActivity, GroupFiling, Handover, Talent, Venue
from resources.services.common import live_handovers, local, occurrences


def venue_list(data=None) -> QuerySet:
    return apply_filters(VenueFilter, data, Venue.objects.select_related("community"))


def venue_get_for(viewer, venue_id: int) -> Venue:
    """Rooms are public."""
    venue = Venue.objects.select_related("community").filter(pk=venue_id).first()
    if venue is None:
        raise NotFound(code="venue_not_found")
    return venue


def may_see_booking(viewer, booking: Booking) -> bool:
    if not viewer.is_authenticated:
        return False
    if booking.requester_id == viewer.pk or is_community_staff(viewer, booking.venue.community_id):
        return True
    return bool(booking.organization_id) and OrganizationMember.objects.filter(organization_id=booking.organization_id, user=viewer).exists()


def booking_get_for(viewer, booking_id: int) -> Booking:
    """A booking, for its requester, its organisation's members and the room's staff; 404 otherwise."""
    booking = Booking.objects.select_related("venue__community", "requester", "organization", "task").filter(pk=booking_id).first()
    if booking is None or not may_see_booking(viewer, booking):
        raise NotFound(code="booking_not_found")
    return booking


def bookings_for(viewer, data=None) -> QuerySet:
    """Staff: their communities' bookings; anyone else: their own and their organisations'."""
    bookings = Booking.objects.select_related("venue__community", "requester", "organization")
    if not viewer.is_authenticated:
        return bookings.none()
    if not viewer.is_superuser:
        orgs = OrganizationMember.objects.filter(user=viewer).values("organization_id")
        bookings = bookings.filter(Q(venue__community_id__in=staff_communities(viewer)) | Q(requester=viewer) | Q(organization_id__in=orgs))
    return apply_filters(BookingFilter, data, bookings).order_by("-starts_at", "-id")


def confirmed_bookings_of(user) -> QuerySet:
    """The requester's confirmed bookings still to come (her iCal feed and her page)."""
    return Booking.objects.filter(requester=user, status=Booking.Status.CONFIRMED, ends_at__gte=timezone.now()).select_related("venue")


@dataclass
class Block:
    starts_at: datetime
    ends_at: datetime
    kind: str  # "booking" or "handover"
    status: str  # a booking's status; "handover" for a handover's hours
    label: str  # what the public may read: the purpose of a confirmed booking, the organisation of a handover
    booking_id: int | None = None

    @property
    def top(self) -> float:
        """Where the block starts on a day's column, in hours after midnight (the page's layout)."""
        start = local(self.starts_at)
        return start.hour + start.minute / 60

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


def week_start(day: date | None = None) -> date:
    """The Monday of ``day``'s week; a day outside 1900–2999 is 400 ``invalid_date`` (no calendar there)."""
    day = day or timezone.localdate()
    if not 1900 <= day.year <= 2999:
        raise ValidationFailed(_("Give a date between 1900 and 2999."), code="invalid_date", field="start")
    return day - timedelta(days=day.isoweekday() - 1)


def venue_week(venue: Venue, monday: date) -> list[tuple[date, list[Block]]]:
    """Seven days from ``monday``, each with the room's taken hours: holding bookings (a requested
    one shows as pending, with no purpose) and each handover occurrence."""
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(monday, datetime.min.time()), tz)
    last = first + timedelta(days=7)
    days: dict[date, list[Block]] = {monday + timedelta(days=i): [] for i in range(7)}
    bookings = Booking.objects.filter(venue=venue, status__in=Booking.HOLDING, starts_at__lt=last, ends_at__gt=first).select_related("organization")
    for b in bookings:
        label = (b.organization.name if b.organization else b.purpose) if b.status == Booking.Status.CONFIRMED else ""
        days.setdefault(local(b.starts_at).date(), []).append(Block(b.starts_at, b.ends_at, "booking", b.status, label, b.pk))
    for h in live_handovers(venue.pk).filter(valid_from__lt=monday + timedelta(days=7), valid_until__gte=monday):
        for s, e in occurrences(h, monday, monday + timedelta(days=6)):
            days[s.date()].append(Block(s, e, "handover", "handover", h.organization.name))
    return [(day, sorted(blocks, key=lambda b: b.starts_at)) for day, blocks in sorted(days.items()) if day in days]


def handovers_of(venue: Venue) -> QuerySet:
    return Handover.objects.filter(venue=venue).select_related("organization").order_by("ended_at", "weekday", "starts")


@dataclass
class Usage:
    venue: Venue
    bookings: int
    booked_hours: float
    handover_hours: float

    @property
    def total_hours(self) -> float:
        return self.booked_hours + self.handover_hours


def usage_by_month(community_id: int, month: date) -> list[Usage]:
    """Per room of the community, in the month holding ``month``: confirmed bookings and their
    hours, and the hours handed over (each occurrence of a live handover). Three queries in all."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start, end = (timezone.make_aware(datetime.combine(d, datetime.min.time()), tz) for d in (first, after))
    rows = {v.pk: Usage(v, 0, 0.0, 0.0) for v in Venue.objects.filter(community_id=community_id).order_by("name", "id")}
    confirmed = Booking.objects.filter(venue__community_id=community_id, status=Booking.Status.CONFIRMED, starts_at__gte=start, starts_at__lt=end)
    for b in confirmed.only("venue_id", "starts_at", "ends_at"):
        rows[b.venue_id].bookings += 1
        rows[b.venue_id].booked_hours += (b.ends_at - b.starts_at).total_seconds() / 3600
    handovers = Handover.objects.filter(venue__community_id=community_id, ended_at__isnull=True, valid_from__lt=after, valid_until__gte=first)
    for h in handovers:
        rows[h.venue_id].handover_hours += sum((e - s).total_seconds() for s, e in occurrences(h, first, after - timedelta(days=1))) / 3600
    for usage in rows.values():
        usage.booked_hours, usage.handover_hours = round(usage.booked_hours, 1), round(usage.handover_hours, 1)
    return list(rows.values())


def talent_list(data=None) -> QuerySet:
    return apply_filters(TalentFilter, data, Talent.objects.select_related("user", "community"))


def talent_get_for(viewer, user_id: int) -> Talent:
    talent = Talent.objects.select_related("user", "community").filter(user_id=user_id).first()
    if talent is None:
        raise NotFound(code="talent_not_found")
    return talent


def community_groups(community_id: int | None = None) -> QuerySet:
    """Filed (verified) community groups, with their filing and leader."""
    groups = Organization.objects.filter(kind=Organization.Kind.COMMUNITY_GROUP, status=Organization.Status.VERIFIED)
    if community_id:
        groups = groups.filter(community_id=community_id)
    return groups.select_related("community", "filing__leader").order_by("name", "id")


def group_filing_of(organization: Organization) -> GroupFiling | None:
    return GroupFiling.objects.filter(organization=organization).select_related("leader", "recorded_by").first()


def handover_get_for(viewer, handover_id: int) -> Handover:
    """Handovers are public (the week view shows them)."""
    handover = Handover.objects.select_related("venue", "organization").filter(pk=handover_id).first()
    if handover is None:
        raise NotFound(code="handover_not_found")
    return handover


def staff_community_get_for(viewer, community_id: int):
    """A community this viewer staffs; 404 ``community_not_found`` otherwise (its figures are staff's)."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None or not is_community_staff(viewer, community.pk):
        raise NotFound(code="community_not_found")
    return community


def parse_month(text: str | None) -> date:
    if not text:
        return timezone.localdate().replace(day=1)
    try:
        month = datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        month = None
    if month is None or not 1900 <= month.year <= 2999:
        raise ValidationFailed(_("Give a month as YYYY-MM."), code="invalid_month", field="month")
    return month


def activities_for(viewer, data=None) -> QuerySet:
    """Community groups' activities: staff see their communities'; members their groups'."""
    activities = GroupActivity.objects.select_related("task", "organization", "proposed_by")
    if not viewer.is_authenticated:
        return activities.none()
    if not viewer.is_superuser:
        orgs = OrganizationMember.objects.filter(user=viewer).values("organization_id")
        activities = activities.filter(Q(task__community_id__in=staff_communities(viewer)) | Q(organization_id__in=orgs))
    return apply_filters(GroupActivityFilter, data, activities).order_by("-created_at", "-id")


def activity_get_for(viewer, activity_id: int) -> GroupActivity:
    """An activity, for the group's members and its community's staff; 404 for anyone else."""
    activity = activities_for(viewer).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(code="activity_not_found")
    return activity
