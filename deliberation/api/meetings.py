"""Stewards, issues, meetings, attendance, motions, votes and minutes."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.selectors import community_get_for
from core.api import ERRORS, ApiDateTime, PageNumberPagination
from deliberation import selectors, services
from marketplace.models import ConsultationCategory
from resources.selectors import venue_get_for

router = Router(tags=["deliberation"])


# --- Stewards and issues -------------------------------------------------------------------------
class StewardIn(Schema):
    user_id: int


class StewardOut(Schema):
    id: int
    user_id: int
    name: str
    community_id: int
    appointed_at: datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.shown_name


class StewardsOut(Schema):
    items: list[StewardOut]
    count: int
    households: int | None = Field(None, description="The community's households, as staff set them.")
    target: int | None = Field(None, description="6 % of the households, rounded up; null while households are unknown.")


@router.post("/communities/{community_id}/stewards", response={201: StewardOut, **ERRORS}, auth=AUTH)
def steward_appoint(request, community_id: int, payload: StewardIn):
    community = community_get_for(request.auth, community_id)
    return Status(201, services.steward_appoint(actor=request.auth, community=community, user_id=payload.user_id))


@router.get("/communities/{community_id}/stewards", response={200: StewardsOut, **ERRORS}, auth=AUTH)
def steward_list(request, community_id: int):
    community = selectors.community_for_deliberation(request.auth, community_id)
    stewards = list(selectors.steward_list(community))
    return {"items": stewards, "count": len(stewards), "households": community.households, "target": selectors.steward_target(community)}


@router.delete("/communities/{community_id}/stewards/{user_id}", response={204: None, **ERRORS}, auth=AUTH)
def steward_remove(request, community_id: int, user_id: int):
    community = community_get_for(request.auth, community_id)
    services.steward_remove(actor=request.auth, community=community, user_id=user_id)
    return Status(204, None)


class IssueIn(Schema):
    title: str = Field("", max_length=120, description="May be left empty with need_id: the need's title is taken.")
    text: str = Field("", max_length=4000)
    need_id: int | None = None
    category: str = Field(ConsultationCategory.OTHER, max_length=16, description="rules, public_affairs, management or other")


class IssueOut(Schema):
    id: int
    community_id: int
    title: str
    text: str
    category: str
    status: str
    need_id: int | None
    consultation_id: int | None
    proposed_by: str
    created_at: datetime

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        return obj.proposed_by.shown_name


class IssueFilterIn(Schema):
    status: str | None = None
    category: str | None = None


@router.post("/communities/{community_id}/issues", response={201: IssueOut, **ERRORS}, auth=AUTH)
def issue_collect(request, community_id: int, payload: IssueIn):
    community = community_get_for(request.auth, community_id)
    issue = services.issue_collect(
        actor=request.auth, community=community, title=payload.title, text=payload.text, need_id=payload.need_id, category=payload.category
    )
    return Status(201, issue)


@router.get("/communities/{community_id}/issues", response={200: list[IssueOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def issue_list(request, community_id: int, filters: Query[IssueFilterIn]):
    return selectors.issue_list(selectors.community_for_deliberation(request.auth, community_id), filters.dict(exclude_none=True))


class ConsultIn(Schema):
    options: list[str] = Field(..., max_length=10)
    closes_at: ApiDateTime


@router.post("/issues/{issue_id}/consultation", response={201: IssueOut, **ERRORS}, auth=AUTH)
def issue_consult(request, issue_id: int, payload: ConsultIn):
    """Open an online consultation on the issue (线上议事), so those who cannot come vote before the meeting."""
    issue = selectors.issue_get_for(request.auth, issue_id)
    return Status(201, services.issue_consult(actor=request.auth, issue=issue, options=payload.options, closes_at=payload.closes_at))


# --- Meetings, motions, votes, minutes ---------------------------------------------------------------
class MeetingIn(Schema):
    title: str = Field(..., max_length=120)
    starts_at: ApiDateTime
    location: str = Field("", max_length=120, description="required unless venue_id is given (then the room's name)")
    issue_ids: list[int] = Field(default_factory=list, max_length=50)
    venue_id: int | None = Field(None, description="a room of the community, booked (confirmed) for the meeting's time")
    ends_at: ApiDateTime | None = Field(None, description="when the room is free again; default two hours after starts_at")


class MeetingOut(Schema):
    id: int
    community_id: int
    title: str
    starts_at: datetime
    location: str
    status: str
    published_at: datetime | None


class PersonOut(Schema):
    user_id: int
    name: str
    is_steward: bool


class MotionOut(Schema):
    id: int
    meeting_id: int
    issue_id: int | None
    title: str
    text: str
    status: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    stewards_present: int
    closed_at: datetime | None


class AgendaIssueOut(IssueOut):
    online_result: dict[str, int] | None = Field(None, description="The online consultation's votes by option, when there is one.")


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaIssueOut]
    attendance: list[PersonOut] = Field(..., alias="attendance_list")
    motions: list[MotionOut] = Field(..., alias="motion_list")
    minutes: str


@router.post("/communities/{community_id}/meetings", response={201: MeetingOut, **ERRORS}, auth=AUTH)
def meeting_call(request, community_id: int, payload: MeetingIn):
    community = community_get_for(request.auth, community_id)
    meeting = services.meeting_call(
        actor=request.auth, community=community, title=payload.title, starts_at=payload.starts_at, location=payload.location,
        issue_ids=payload.issue_ids, venue=venue_get_for(request.auth, payload.venue_id) if payload.venue_id is not None else None,
        ends_at=payload.ends_at,
    )
    return Status(201, meeting)


@router.get("/communities/{community_id}/meetings", response={200: list[MeetingOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def meeting_list(request, community_id: int, status: str | None = None):
    community = selectors.community_for_deliberation(request.auth, community_id)
    return selectors.meeting_list(community, {"status": status} if status else None)


def _meeting_detail(meeting):
    agenda = selectors.meeting_agenda(meeting)
    for issue in agenda:
        issue.online_result = selectors.online_result(issue)
    meeting.agenda = agenda
    meeting.attendance_list = [{"user_id": a.user_id, "name": a.user.shown_name, "is_steward": a.is_steward} for a in selectors.meeting_attendance(meeting)]
    meeting.motion_list = list(selectors.motion_list(meeting))
    return meeting


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS}, auth=AUTH)
def meeting_detail(request, meeting_id: int):
    return _meeting_detail(selectors.meeting_get_for(request.auth, meeting_id))


class AttendanceIn(Schema):
    user_ids: list[int] = Field(..., max_length=500)


@router.post("/meetings/{meeting_id}/attendance", response={200: MeetingDetailOut, **ERRORS}, auth=AUTH)
def attendance_record(request, meeting_id: int, payload: AttendanceIn):
    meeting = selectors.meeting_get_for(request.auth, meeting_id)
    services.attendance_record(actor=request.auth, meeting=meeting, user_ids=payload.user_ids)
    return _meeting_detail(meeting)


class MotionIn(Schema):
    title: str = Field(..., max_length=120)
    text: str = Field("", max_length=8000)
    issue_id: int | None = None


@router.post("/meetings/{meeting_id}/motions", response={201: MotionOut, **ERRORS}, auth=AUTH)
def motion_put(request, meeting_id: int, payload: MotionIn):
    meeting = selectors.meeting_get_for(request.auth, meeting_id)
    return Status(201, services.motion_put(actor=request.auth, meeting=meeting, title=payload.title, text=payload.text, issue_id=payload.issue_id))


class VoteIn(Schema):
    vote: str = Field(..., max_length=8, description="for, against or abstain")
    on_behalf_of: int | None = Field(None, description="Staff only: the steward whose show of hands is recorded.")


class VoteOut(Schema):
    id: int
    motion_id: int
    user_id: int
    vote: str
    created_at: datetime


@router.post("/motions/{motion_id}/votes", response={201: VoteOut, **ERRORS}, auth=AUTH)
def motion_vote(request, motion_id: int, payload: VoteIn):
    motion = selectors.motion_get_for(request.auth, motion_id)
    return Status(201, services.motion_vote(actor=request.auth, motion=motion, vote=payload.vote, on_behalf_of=payload.on_behalf_of))


class MotionResultOut(Schema):
    votes_for: int = Field(..., serialization_alias="for")
    against: int
    abstain: int
    passed: bool
    stewards_present: int


@router.post("/motions/{motion_id}/close", response={200: MotionResultOut, **ERRORS}, auth=AUTH, by_alias=True)
def motion_close(request, motion_id: int):
    motion = services.motion_close(actor=request.auth, motion=selectors.motion_get_for(request.auth, motion_id))
    return {"votes_for": motion.votes_for, "against": motion.votes_against, "abstain": motion.votes_abstain, "passed": motion.passed,
            "stewards_present": motion.stewards_present}


class MinutesIn(Schema):
    text: str = Field(..., max_length=20000)


@router.post("/meetings/{meeting_id}/minutes", response={200: MeetingDetailOut, **ERRORS}, auth=AUTH)
def minutes_publish(request, meeting_id: int, payload: MinutesIn):
    meeting = services.minutes_publish(actor=request.auth, meeting=selectors.meeting_get_for(request.auth, meeting_id), text=payload.text)
    return _meeting_detail(meeting)
