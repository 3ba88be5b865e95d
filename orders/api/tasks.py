"""What orders does to a task in the API contract: cancel it (its claims withdrawn), join or leave its waitlist."""

from ninja import Field, Router, Schema, Status

from accounts.auth import AUTH
from core.api import ERRORS
from marketplace import selectors as market_selectors
from marketplace.api.tasks import TaskOut
from orders import services

__all__ = ["router", "TaskCancelIn", "WaitlistOut"]
OPERATION_IDS_OF = "orders.api.claims"  # the operation ids predate the split (config/api.py)


router = Router(tags=["claims"])


# --- Cancelling a task withdraws its claims: the workflow lives with the claims ---------------------
class TaskCancelIn(Schema):
    reason: str = Field("", max_length=200)
    scope: str = Field("this", max_length=12, description='"this" occurrence, or "following": this and the later ones of its series.')


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS}, auth=AUTH, tags=["tasks"])
def cancel_task(request, task_id: int, payload: TaskCancelIn | None = None):
    task = market_selectors.task_get_for(request.auth, task_id)
    services.task_cancel(actor=request.auth, task=task, reason=payload.reason if payload else "", scope=payload.scope if payload else "this")
    return market_selectors.task_get_for(request.auth, task.pk)


# --- Waiting lists of full tasks ----------------------------------------------------------------------
class WaitlistOut(Schema):
    position: int = Field(..., description="1 for the first person waiting.")


@router.post("/tasks/{task_id}/waitlist", response={201: WaitlistOut, **ERRORS}, auth=AUTH, tags=["tasks"])
def join_waitlist(request, task_id: int):
    task = market_selectors.task_get_for(request.auth, task_id)
    return Status(201, {"position": services.waitlist_join(actor=request.auth, task=task)})


@router.delete("/tasks/{task_id}/waitlist", response={204: None, **ERRORS}, auth=AUTH, tags=["tasks"])
def leave_waitlist(request, task_id: int):
    task = market_selectors.task_get_for(request.auth, task_id)
    services.waitlist_leave(actor=request.auth, task=task)
    return Status(204, None)
