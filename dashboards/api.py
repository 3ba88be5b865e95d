"""``GET /me``: the person's own summary, drawn from several apps (who they are, where they belong,
their points)."""

from ninja import Field, Router, Schema

from accounts import selectors as account_selectors
from accounts.api import MembershipOut, OrganizationRoleOut
from accounts.auth import AUTH
from accounts.volunteers import volunteer_no_of
from core.api import ERRORS
from points.selectors import person_balance

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    is_superuser: bool
    memberships: list[MembershipOut]
    organizations: list[OrganizationRoleOut]
    points_balance: int
    volunteer_no: str | None = Field(None, description="A stable volunteer number (district prefix + serial), given at the first claim; never an identity-card number.")


@router.get("/me", response={200: MeOut, **ERRORS}, auth=AUTH)
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "is_superuser": user.is_superuser,
        "memberships": list(account_selectors.user_memberships(user)),
        "organizations": list(account_selectors.user_organization_memberships(user)),
        "points_balance": person_balance(user),
        "volunteer_no": volunteer_no_of(user),
    }
