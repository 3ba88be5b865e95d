"""Organisations in the API contract: listed, created, verified, suspended, members added."""

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import selectors, services
from accounts.api.common import _filters
from accounts.auth import AUTH, optional_user
from core.api import ERRORS, PageNumberPagination
from core.errors import NotFound

OPERATION_IDS_OF = "accounts.api"  # the operation ids predate the split (config/api.py)

router = Router(tags=["accounts"])


class OrganizationRoleOut(Schema):
    id: int = Field(..., alias="organization_id")
    role: str


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
