"""Accounts part of the API contract: register, token, me, communities, memberships, organisations,
notifications."""

from datetime import datetime

from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import selectors, services
from accounts.auth import AUTH, optional_user
from accounts.models import CommunityInvitation
from core.api import ERRORS, PageNumberPagination
from core.errors import NotFound
from core.ratelimit import check as rate_limit

router = Router(tags=["accounts"])


# --- Schemas ---------------------------------------------------------------------------------------
class RegisterIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)
    display_name: str = Field("", max_length=60)
    email: str = Field("", max_length=254, description="Optional; used for password reset.")


class RegisterOut(Schema):
    id: int
    username: str


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)


class TokenOut(Schema):
    token: str


class MembershipOut(Schema):
    id: int
    community_id: int
    user_id: int
    role: str


class OrganizationRoleOut(Schema):
    id: int = Field(..., alias="organization_id")
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


class OrganizationIn(Schema):
    name: str = Field(..., max_length=120)
    kind: str = Field(..., max_length=20, description="social_org, social_work, business or charity")
    credit_code: str = Field(..., max_length=40)
    community_id: int | None = None
    description: str = Field("", max_length=4000)


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    status: str
    community_id: int | None
    contact_person: str = Field("", description="Public contact details the organisation published (empty: none).")
    contact_phone: str = ""
    contact_address: str = ""


class OrganizationFilterIn(Schema):
    status: str | None = Field(None, max_length=20)
    kind: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=100)


class OrganizationMemberIn(Schema):
    user_id: int


class OrganizationMemberOut(Schema):
    id: int
    organization_id: int
    user_id: int
    role: str


def _filters(schema: Schema) -> dict:
    return {key: value for key, value in schema.dict().items() if value not in (None, "")}


# --- Auth ------------------------------------------------------------------------------------------
@router.post("/auth/register", response={201: RegisterOut, **ERRORS}, auth=None, tags=["auth"])
def register(request, payload: RegisterIn):
    rate_limit(request, "register")
    user = services.user_register(
        username=payload.username, password=payload.password, display_name=payload.display_name, email=payload.email
    )
    return Status(201, user)


@router.post("/auth/token", response={200: TokenOut, **ERRORS}, auth=None, tags=["auth"])
def obtain_token(request, payload: TokenIn):
    return {"token": services.token_obtain(request=request, username=payload.username, password=payload.password)}


@router.post("/auth/token/revoke", response={204: None, **ERRORS}, auth=AUTH, tags=["auth"])
def revoke_token(request):
    """Revoke the bearer token this call is made with (log out a device)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.token_revoke(actor=request.auth, raw=header[7:].strip())
    return Status(204, None)


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=128)


@router.post("/me/password", response={200: TokenOut, **ERRORS}, auth=AUTH, tags=["auth"])
def change_password(request, payload: PasswordChangeIn):
    """Change the caller's password: a fresh token comes back, every other token and session ends."""
    token = services.password_change(actor=request.auth, old_password=payload.old_password, new_password=payload.new_password)
    if request.user.is_authenticated and request.user.pk == request.auth.pk and request.session.session_key:
        update_session_auth_hash(request, request.auth)  # called from this browser: keep this session
    return {"token": token}


class PasswordResetIn(Schema):
    email: str = Field(..., max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(..., max_length=64)
    token: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=128)


class DetailOut(Schema):
    detail: str


@router.post("/auth/password-reset", response={202: DetailOut, **ERRORS}, auth=None, tags=["auth"])
def password_reset(request, payload: PasswordResetIn):
    """Email a reset link to the accounts with this address; the answer is the same whether or not
    there is one."""
    rate_limit(request, "password_reset")
    services.password_reset_request(request=request, email=payload.email)
    return Status(202, {"detail": _("If an account has this address, a link to set a new password is on its way.")})


@router.post("/auth/password-reset/confirm", response={200: DetailOut, **ERRORS}, auth=None, tags=["auth"])
def password_reset_confirm(request, payload: PasswordResetConfirmIn):
    """Set a new password with the two parts of the emailed link; every token and session ends."""
    services.password_reset_confirm(uid=payload.uid, token=payload.token, new_password=payload.new_password)
    return {"detail": _("Your new password is set. Log in with it.")}


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


# --- Organisations ---------------------------------------------------------------------------------
@router.get("/organizations", response={200: list[OrganizationOut], **ERRORS}, auth=None, tags=["organizations"])
@paginate(PageNumberPagination)
def list_organizations(request, filters: Query[OrganizationFilterIn]):
    return selectors.organization_list(filters=_filters(filters), viewer=optional_user(request))


@router.post("/organizations", response={201: OrganizationOut, **ERRORS}, auth=AUTH, tags=["organizations"])
def create_organization(request, payload: OrganizationIn):
    community = None
    if payload.community_id is not None:
        try:
            community = selectors.community_get_for(request.auth, payload.community_id)
        except NotFound:
            raise NotFound(code="community_not_found", field="community_id") from None
    org = services.organization_create(
        actor=request.auth,
        name=payload.name,
        kind=payload.kind,
        credit_code=payload.credit_code,
        community=community,
        description=payload.description,
    )
    return Status(201, org)


@router.get("/organizations/{organization_id}", response={200: OrganizationOut, **ERRORS}, auth=None, tags=["organizations"])
def get_organization(request, organization_id: int):
    return selectors.organization_get_for(optional_user(request), organization_id)


@router.post("/organizations/{organization_id}/verify", response={200: OrganizationOut, **ERRORS}, auth=AUTH, tags=["organizations"])
def verify_organization(request, organization_id: int):
    org = selectors.organization_get_for(optional_user(request), organization_id)
    return services.organization_verify(actor=request.auth, organization=org)


class SuspendIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post("/organizations/{organization_id}/suspend", response={200: OrganizationOut, **ERRORS}, auth=AUTH, tags=["organizations"])
def suspend_organization(request, organization_id: int, payload: SuspendIn):
    org = selectors.organization_get_for(optional_user(request), organization_id)
    return services.organization_suspend(actor=request.auth, organization=org, reason=payload.reason)


@router.post(
    "/organizations/{organization_id}/members", response={201: OrganizationMemberOut, **ERRORS}, auth=AUTH, tags=["organizations"]
)
def add_organization_member(request, organization_id: int, payload: OrganizationMemberIn):
    org = selectors.organization_get_for(optional_user(request), organization_id)
    user = selectors.user_get_for(request.auth, payload.user_id)
    return Status(201, services.organization_member_add(actor=request.auth, organization=org, user=user))



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
