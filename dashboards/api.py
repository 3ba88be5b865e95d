"""``GET /me``: the person's own summary, drawn from several apps (who they are, where they belong,
their points)."""

from ninja import Field, Router, Schema

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.api import MembershipOut, OrganizationRoleOut
from accounts.auth import AUTH
from core.api import ERRORS
from points.selectors import person_balance

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


class MeIn(Schema):
    display_name: str | None = Field(None, max_length=60)
    email: str | None = Field(None, max_length=254, description='"" removes the address')


def _me(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "is_superuser": user.is_superuser,
        "memberships": list(account_selectors.user_memberships(user)),
        "organizations": list(account_selectors.user_organization_memberships(user)),
        "points_balance": person_balance(user),
    }


@router.get("/me", response={200: MeOut, **ERRORS}, auth=AUTH)
def me(request):
    return _me(request.auth)


@router.patch("/me", response={200: MeOut, **ERRORS}, auth=AUTH)
def update_me(request, payload: MeIn):
    """Change one's display name and/or email; a field left out stays as it is."""
    return _me(account_services.account_update(actor=request.auth, display_name=payload.display_name, email=payload.email))
