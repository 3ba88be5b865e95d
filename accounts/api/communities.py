"""Communities in the API contract: listed, created, joined, members added; invitations to join."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import selectors, services
from accounts.api.common import _filters
from accounts.auth import AUTH, optional_user
from accounts.models import CommunityInvitation
from core.api import ERRORS, PageNumberPagination

OPERATION_IDS_OF = "accounts.api"  # the operation ids predate the split (config/api.py)

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    id: int
    community_id: int
    user_id: int
    role: str


class CommunityIn(Schema):
    name: str = Field(..., max_length=60)
    street: str = Field(..., max_length=60)
    district: str = Field(..., max_length=60)
    description: str = Field("", max_length=2000)


class CommunityOut(Schema):
    id: int
    name: str
    street: str = Field(..., alias="street.name")
    district: str = Field(..., alias="street.district.name")
    street_id: int
    district_id: int = Field(..., alias="street.district_id")


class CommunityFilterIn(Schema):
    district: int | None = None
    street: int | None = None
    q: str | None = Field(None, max_length=100)


class JoinIn(Schema):
    role: str = Field(..., max_length=20, description='"resident" or "volunteer"')


class MemberAddIn(Schema):
    user_id: int
    role: str = Field(..., max_length=20, description='"resident", "volunteer" or "staff"')


# --- Communities -----------------------------------------------------------------------------------
@router.get("/communities", response={200: list[CommunityOut], **ERRORS}, auth=None, tags=["communities"])
@paginate(PageNumberPagination)
def list_communities(request, filters: Query[CommunityFilterIn]):
    return selectors.community_list(filters=_filters(filters))


@router.post("/communities", response={201: CommunityOut, **ERRORS}, auth=AUTH, tags=["communities"])
def create_community(request, payload: CommunityIn):
    community = services.community_create(
        actor=request.auth, name=payload.name, street=payload.street, district=payload.district, description=payload.description
    )
    return Status(201, selectors.community_get_for(request.auth, community.pk))


@router.get("/communities/{community_id}", response={200: CommunityOut, **ERRORS}, auth=None, tags=["communities"])
def get_community(request, community_id: int):
    community = selectors.community_get_for(optional_user(request), community_id)
    return community


@router.post("/communities/{community_id}/join", response={201: MembershipOut, **ERRORS}, auth=AUTH, tags=["communities"])
def join_community(request, community_id: int, payload: JoinIn):
    community = selectors.community_get_for(request.user, community_id)
    return Status(201, services.membership_join(actor=request.auth, community=community, role=payload.role))


class InvitedOut(Schema):
    status: str = "invited"
    invitation_id: int


@router.post(
    "/communities/{community_id}/members", response={201: MembershipOut, 202: InvitedOut, **ERRORS}, auth=AUTH, tags=["communities"]
)
def add_community_member(request, community_id: int, payload: MemberAddIn):
    """Staff: a person already in the community gets the role at once (201); anyone else is
    invited (202) and becomes a member only by accepting. The district admin adds at once."""
    community = selectors.community_get_for(request.user, community_id)
    user = selectors.user_get_for(request.auth, payload.user_id)
    result = services.membership_add(actor=request.auth, community=community, user=user, role=payload.role)
    if isinstance(result, CommunityInvitation):
        return Status(202, {"status": "invited", "invitation_id": result.pk})
    return Status(201, result)


class InvitationOut(Schema):
    id: int
    community_id: int
    community: str = Field(..., alias="community.name")
    role: str
    status: str
    invited_by: str
    created_at: datetime

    @staticmethod
    def resolve_invited_by(obj) -> str:
        return obj.invited_by.shown_name


@router.get("/me/invitations", response={200: list[InvitationOut], **ERRORS}, auth=AUTH, tags=["communities"])
@paginate(PageNumberPagination)
def my_invitations(request):
    """The caller's unanswered invitations into communities."""
    return selectors.user_pending_invitations(request.auth)


@router.post("/invitations/{invitation_id}/accept", response={201: MembershipOut, **ERRORS}, auth=AUTH, tags=["communities"])
def accept_invitation(request, invitation_id: int):
    return Status(201, services.invitation_accept(actor=request.auth, invitation_id=invitation_id))


@router.post("/invitations/{invitation_id}/decline", response={200: InvitationOut, **ERRORS}, auth=AUTH, tags=["communities"])
def decline_invitation(request, invitation_id: int):
    return services.invitation_decline(actor=request.auth, invitation_id=invitation_id)
