"""Accounts locked after failed sign-ins, for staff: listed and unlocked."""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from accounts import selectors, services
from accounts.auth import AUTH
from core.api import ERRORS, PageNumberPagination

OPERATION_IDS_OF = "accounts.api"  # the operation ids predate the split (config/api.py)

router = Router(tags=["accounts"])


# --- Login lockouts --------------------------------------------------------------------------------
class LockedOutOut(Schema):
    user_id: int
    username: str
    display_name: str
    failures: int
    last_attempt: datetime
    communities: list[str]


class UnlockOut(Schema):
    user_id: int
    attempts_cleared: int


@router.get("/lockouts", response={200: list[LockedOutOut], **ERRORS}, auth=AUTH, tags=["accounts"])
@paginate(PageNumberPagination)
def list_lockouts(request):
    """People the caller may unlock who are locked out of logging in now (empty for non-staff)."""
    return [
        {
            "user_id": account.user.pk,
            "username": account.user.username,
            "display_name": account.user.display_name,
            "failures": account.failures,
            "last_attempt": account.last_attempt,
            "communities": account.communities,
        }
        for account in selectors.locked_out_accounts(request.auth)
    ]


@router.post("/users/{user_id}/unlock", response={200: UnlockOut, **ERRORS}, auth=AUTH, tags=["accounts"])
def unlock_user(request, user_id: int):
    """Lift a person's login lockout: staff of a community they belong to, or the district admin."""
    user = selectors.user_get_for(request.auth, user_id)
    return {"user_id": user.pk, "attempts_cleared": services.lockout_reset(actor=request.auth, user=user)}
