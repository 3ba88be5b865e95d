"""``GET /me``: the person's own summary, drawn from several apps (who they are, where they belong,
their points); their own data to take away, and closing the account."""

from decimal import Decimal

from django.contrib.auth import logout
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.api import MembershipOut, OrganizationRoleOut
from accounts.auth import AUTH
from accounts.volunteers import volunteer_no_of
from core.api import ERRORS
from dashboards import mydata
from points.selectors import person_balance
from records.selectors import volunteer_record_totals

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    is_superuser: bool
    memberships: list[MembershipOut]
    organizations: list[OrganizationRoleOut]
    points_balance: int
    volunteer_no: str | None = Field(None, description="A stable volunteer number (district prefix + serial), given at the first claim; never an identity-card number.")
    services: int = Field(0, description="Verified services.")
    hours: Decimal = Field(Decimal("0.00"), description="Hours recorded at verification (after approved corrections), summed over verified services.")


class MeIn(Schema):
    display_name: str | None = Field(None, max_length=60)
    email: str | None = Field(None, max_length=254, description='"" removes the address')


def _me(user) -> dict:
    totals = volunteer_record_totals(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "is_superuser": user.is_superuser,
        "memberships": list(account_selectors.user_memberships(user)),
        "organizations": list(account_selectors.user_organization_memberships(user)),
        "points_balance": person_balance(user),
        "volunteer_no": volunteer_no_of(user),
        **{key: totals[key] for key in ("services", "hours")},
    }


@router.get("/me", response={200: MeOut, **ERRORS}, auth=AUTH)
def me(request):
    return _me(request.auth)


@router.patch("/me", response={200: MeOut, **ERRORS}, auth=AUTH)
def update_me(request, payload: MeIn):
    """Change one's display name and/or email; a field left out stays as it is."""
    return _me(account_services.account_update(actor=request.auth, display_name=payload.display_name, email=payload.email))


@router.get("/me/export", response={200: dict, **ERRORS}, auth=AUTH)
def export_me(request):
    """Everything the platform holds about the caller, as one JSON document (a download)."""
    response = JsonResponse(mydata.my_data(request.auth), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="my-data-{request.auth.pk}.json"'
    return response


class DeleteIn(Schema):
    password: str = Field("", max_length=128)


class DeletedOut(Schema):
    detail: str


@router.post("/me/delete", response={202: DeletedOut, **ERRORS}, auth=AUTH)
def delete_me(request, payload: DeleteIn):
    """Close the caller's account (see ``dashboards.mydata.account_close``)."""
    mydata.account_close(actor=request.auth, password=payload.password)
    if request.user.is_authenticated:
        logout(request)
    return Status(202, {"detail": _("Your account was closed.")})
