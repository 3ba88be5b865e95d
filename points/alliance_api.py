"""Points across communities (通存通兑) in the API: alliances and who owes whom. Redemptions keep
their endpoint (``POST /redemptions``): the points come from allied communities by themselves."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.selectors import is_community_staff
from core.api import ERRORS, PageNumberPagination
from core.errors import NotFound, PermissionDenied
from points import services
from points.models import Alliance

router = Router(tags=["points across communities"])


class AllianceIn(Schema):
    community_ids: list[int] = Field(..., max_length=100)
    name: str = Field("", max_length=120)


class AllianceOut(Schema):
    id: int
    name: str
    community_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_community_ids(obj) -> list[int]:
        return sorted(m.community_id for m in obj.members.all())


class AlliancePairOut(Schema):
    community_a_id: int
    community_a: str
    community_b_id: int
    community_b: str
    a_to_b: int = Field(..., description="Points earned in A and spent in B's supermarket (after refunds).")
    b_to_a: int
    net: int = Field(..., description="a_to_b − b_to_a; above zero A owes B, below zero B owes A.")
    debtor_id: int | None
    creditor_id: int | None


class AllianceBalancesOut(Schema):
    alliance_id: int
    name: str
    items: list[AlliancePairOut]


def _alliance(alliance_id: int) -> Alliance:
    alliance = Alliance.objects.prefetch_related("members").filter(pk=alliance_id).first()
    if alliance is None:
        raise NotFound(_("No such alliance."), code="alliance_not_found")
    return alliance


@router.post("/points/alliances", response={201: AllianceOut, **ERRORS}, auth=AUTH)
def create_alliance(request, payload: AllianceIn):
    alliance = services.alliance_create(actor=request.auth, community_ids=payload.community_ids, name=payload.name)
    return Status(201, _alliance(alliance.pk))


@router.get("/points/alliances", response={200: list[AllianceOut], **ERRORS}, auth=None)
@paginate(PageNumberPagination)
def list_alliances(request):
    """Public: a volunteer may see where their points are good."""
    return Alliance.objects.prefetch_related("members").order_by("-created_at", "-id")


@router.get("/points/alliances/{alliance_id}", response={200: AllianceOut, **ERRORS}, auth=None)
def get_alliance(request, alliance_id: int):
    return _alliance(alliance_id)


@router.get("/points/alliances/{alliance_id}/balances", response={200: AllianceBalancesOut, **ERRORS}, auth=AUTH)
def alliance_balances(request, alliance_id: int):
    """The district admin and staff of the alliance's communities: per pair, points crossed each way."""
    alliance = _alliance(alliance_id)
    if not any(is_community_staff(request.auth, m.community_id) for m in alliance.members.all()):
        raise PermissionDenied(_("Only the district administrator and staff of these communities see the clearing balances."))
    pairs = services.alliance_balances(alliance)
    return {"alliance_id": alliance.pk, "name": alliance.name, "items": [
        {**pair.__dict__, "debtor_id": pair.debtor_id, "creditor_id": pair.creditor_id} for pair in pairs
    ]}
