"""A volunteer's record in the API contract: the verified service, by year."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema

from accounts.auth import AUTH
from accounts.models import User
from core.api import ERRORS
from core.errors import NotFound
from records import selectors
from records.lines import record_line

__all__ = ["router", "RecordLineOut", "RecordYearOut", "RecordOut"]
OPERATION_IDS_OF = "orders.api.claims"  # the operation ids predate the split and the move to records (config/api.py)


router = Router(tags=["claims"])


class RecordLineOut(Schema):
    claim_id: int = Field(..., alias="id")
    task_id: int
    task: str
    community: str
    date: datetime
    hours: Decimal | None
    credited_hours: Decimal
    honour_hours: Decimal
    points: int = Field(..., alias="points_awarded")
    place: str = ""
    organiser: str = Field("", description="The community that organised and recorded the service.")
    category: str = ""
    beneficiary_type: str = Field("", description="individual (a resident) or community: never a person's name.")
    stars: int | None = Field(None, description="The beneficiary's evaluation (1-5), if any and not hidden.")

    @staticmethod
    def resolve_task(obj) -> str:
        return obj.task.title

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.task.community.name

    @staticmethod
    def resolve_date(obj) -> datetime:
        return obj.task.starts_at

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.task.location

    @staticmethod
    def resolve_organiser(obj) -> str:
        return obj.task.community.name

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.task.category

    @staticmethod
    def resolve_beneficiary_type(obj) -> str:
        return record_line(obj)["beneficiary_type"]

    @staticmethod
    def resolve_stars(obj) -> int | None:
        return record_line(obj)["stars"]


class RecordYearOut(Schema):
    year: int
    services: int
    hours: Decimal
    honour_hours: Decimal


class RecordOut(Schema):
    user_id: int
    volunteer_no: str | None = Field(None, description="Given at the first claim; never an identity-card number.")
    star_level: int = Field(0, description="星级 by cumulative recorded hours: 1★ 100 h, 2★ 300, 3★ 600, 4★ 1000, 5★ 1500.")
    hours_to_next_star: Decimal | None = None
    services: int
    hours: Decimal
    credited_hours: Decimal
    honour_hours: Decimal
    points: int
    years: list[RecordYearOut]
    lines: list[RecordLineOut]


@router.get("/volunteers/{user_id}/record", response={200: RecordOut, **ERRORS}, auth=AUTH, tags=["reviews"])
def volunteer_record(request, user_id: int):
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None or not selectors.record_visible_to(volunteer, request.auth):
        raise NotFound(code="user_not_found")
    return {"user_id": volunteer.pk, **selectors.volunteer_record_summary(volunteer), "lines": list(selectors.volunteer_record(volunteer)[:500])}
