"""People and organisations as resources: the talent pool (达人 / 讲师), community groups' 备案,
and organisations' annual reports (年检, kept in accounts so the bid check below us can read them)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import annual_reports
from accounts.auth import AUTH
from accounts.selectors import community_get_for, organization_get_for, user_get_for
from core.api import ERRORS, PageNumberPagination
from marketplace.selectors import task_get_for
from resources import selectors, services

router = Router(tags=["talents, community groups, annual reports"])


class TalentOut(Schema):
    user_id: int
    name: str
    community_id: int
    fields: list[str]
    bio: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.shown_name


class TalentIn(Schema):
    fields: list[str] = Field(..., max_length=20)
    bio: str = Field(..., max_length=500)
    community_id: int


class TalentFilters(Schema):
    community: int | None = None
    field: str | None = Field(None, max_length=20)


@router.get("/talents", response={200: list[TalentOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_talents(request, filters: Query[TalentFilters]):
    return selectors.talent_list(filters.dict(exclude_none=True))


@router.get("/me/talent", response={200: TalentOut, **ERRORS}, auth=AUTH)
def my_talent(request):
    return selectors.talent_get_for(request.auth, request.auth.pk)


@router.put("/me/talent", response={200: TalentOut, **ERRORS}, auth=AUTH)
def list_me(request, payload: TalentIn):
    community = community_get_for(request.auth, payload.community_id)
    return services.talent_list_me(actor=request.auth, fields=payload.fields, bio=payload.bio, community=community)


@router.delete("/me/talent", response={204: None, **ERRORS}, auth=AUTH)
def unlist_me(request):
    services.talent_unlist(actor=request.auth)
    return Status(204, None)


class InviteIn(Schema):
    task_id: int
    note: str = Field("", max_length=300)


class InvitationOut(Schema):
    id: int
    task_id: int
    user_id: int
    note: str
    created_at: datetime

    @staticmethod
    def resolve_user_id(obj) -> int:
        return obj.talent.user_id


@router.post("/talents/{user_id}/invitations", response={201: InvitationOut, **ERRORS}, auth=AUTH)
def invite_talent(request, user_id: int, payload: InviteIn):
    """Staff of the task's community (or an admin of one of its verified organisations) invite a talent to a task."""
    talent = selectors.talent_get_for(request.auth, user_id)
    task = task_get_for(request.auth, payload.task_id)
    return Status(201, services.talent_invite(actor=request.auth, talent=talent, task=task, note=payload.note))


class GroupFilingIn(Schema):
    leader_id: int
    note: str = Field("", max_length=500)


class GroupOut(Schema):
    id: int
    name: str
    community_id: int | None
    description: str
    status: str
    leader_id: int | None = None
    leader_name: str | None = None
    filed_at: datetime | None = None

    @staticmethod
    def resolve_leader_id(obj) -> int | None:
        filing = getattr(obj, "filing", None)
        return filing.leader_id if filing else None

    @staticmethod
    def resolve_leader_name(obj) -> str | None:
        filing = getattr(obj, "filing", None)
        return filing.leader.shown_name if filing else None

    @staticmethod
    def resolve_filed_at(obj) -> datetime | None:
        filing = getattr(obj, "filing", None)
        return filing.recorded_at if filing else None


class GroupFilters(Schema):
    community: int | None = None


@router.get("/community-groups", response={200: list[GroupOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_groups(request, filters: Query[GroupFilters]):
    """Filed community groups (社区社会组织), with their leader."""
    return selectors.community_groups(filters.community)


@router.post("/organizations/{organization_id}/filing", response={201: GroupOut, **ERRORS}, auth=AUTH)
def file_group(request, organization_id: int, payload: GroupFilingIn):
    """Staff record a community group's 备案 (its leader, a note); the group is then verified."""
    org = organization_get_for(request.auth, organization_id)
    leader = user_get_for(request.auth, payload.leader_id)
    services.group_file(actor=request.auth, organization=org, leader=leader, note=payload.note)
    return Status(201, selectors.community_groups().get(pk=org.pk))


class AnnualReportIn(Schema):
    year: int = Field(..., ge=0, le=9999)
    summary: str = Field(..., max_length=4000)
    income: int = Field(..., description="In minor units (fen).")
    spending: int = Field(..., description="In minor units (fen).")


class AnnualReportOut(Schema):
    id: int
    organization_id: int
    year: int
    summary: str
    income: int
    spending: int
    currency: str
    status: str
    filed_at: datetime
    review_note: str
    reviewed_at: datetime | None


class ReviewIn(Schema):
    passed: bool
    note: str = Field("", max_length=500)


@router.post("/organizations/{organization_id}/annual-reports", response={201: AnnualReportOut, **ERRORS}, auth=AUTH)
def file_annual_report(request, organization_id: int, payload: AnnualReportIn):
    org = organization_get_for(request.auth, organization_id)
    report = annual_reports.annual_report_file(actor=request.auth, organization=org, year=payload.year, summary=payload.summary,
                                               income=payload.income, spending=payload.spending)
    return Status(201, report)


@router.get("/organizations/{organization_id}/annual-reports", response={200: list[AnnualReportOut], **ERRORS}, auth=AUTH)
def list_annual_reports(request, organization_id: int):
    """The organisation's reports, for its members and reviewing staff (an empty list for others)."""
    return list(annual_reports.annual_reports_for(request.auth, organization_get_for(request.auth, organization_id)))


@router.post("/annual-reports/{report_id}/review", response={200: AnnualReportOut, **ERRORS}, auth=AUTH)
def review_annual_report(request, report_id: int, payload: ReviewIn):
    report = annual_reports.annual_report_get_for(request.auth, report_id)
    return annual_reports.annual_report_review(actor=request.auth, report=report, passed=payload.passed, note=payload.note)
