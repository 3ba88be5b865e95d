"""A person's notifications in the API contract: listed, marked read."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accounts import selectors, services
from accounts.auth import AUTH
from core.api import ERRORS, PageNumberPagination

OPERATION_IDS_OF = "accounts.api"  # the operation ids predate the split (config/api.py)

router = Router(tags=["accounts"])


# --- Notifications ---------------------------------------------------------------------------------
class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None

    @staticmethod
    def resolve_message(obj) -> str:
        return obj.text  # in the caller's language (Accept-Language), from the stored code


class NotificationFilterIn(Schema):
    unread: bool = False


class MarkReadIn(Schema):
    ids: list[int] | None = Field(None, max_length=500, description="Omit to mark all read.")


class MarkReadOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS}, auth=AUTH, tags=["notifications"])
@paginate(PageNumberPagination)
def list_notifications(request, filters: Query[NotificationFilterIn]):
    return selectors.user_notifications(request.auth, unread_only=filters.unread)


@router.post("/notifications/read", response={200: MarkReadOut, **ERRORS}, auth=AUTH, tags=["notifications"])
def mark_notifications_read(request, payload: MarkReadIn):
    marked = services.notifications_mark_read(actor=request.auth, ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.auth)}
