"""Certificates of volunteer service (志愿服务记录证明): issued as PDF to the volunteer or to staff of
a community they served, and verified by anyone by their code. See docs/records.md."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Query, Router, Schema

from accounts.auth import AUTH
from accounts.models import User
from core.api import ERRORS
from core.errors import NotFound
from records import selectors, services
from records.lines import beneficiary_label, category_label
from records.views.certificates import pdf_response

OPERATION_IDS_OF = "orders.api.certificates"  # the operation ids predate the move to records (config/api.py)

router = Router(tags=["certificates"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The certificate as an A4 PDF (one per issuing community; ?community= for one).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class CertificateQuery(Schema):
    community: int | None = None


@router.get("/volunteers/{user_id}/certificate", response=ERRORS, auth=AUTH, openapi_extra=PDF_RESPONSE)
def volunteer_certificate(request, user_id: int, query: Query[CertificateQuery]):
    """The volunteer, or staff of a community they served (for that community's services).
    409 ``no_verified_service`` when there is nothing to certify."""
    volunteer = User.objects.filter(pk=user_id, is_active=True).first()
    if volunteer is None:
        raise NotFound(code="user_not_found")
    certificates = services.certificate_issue(actor=request.auth, volunteer=volunteer, community_id=query.community)
    return pdf_response(request, certificates)


class CertificateLineOut(Schema):
    date: date
    title: str
    place: str
    organiser: str
    category: str
    category_label: str
    beneficiary_type: str
    beneficiary_label: str
    hours: Decimal
    honour_hours: Decimal


class CertificateOut(Schema):
    code: str
    volunteer: str
    volunteer_no: str
    issuer: str
    period_start: date
    period_end: date
    services: int
    hours: Decimal
    honour_hours: Decimal
    issued_at: datetime
    lines: list[CertificateLineOut]


@router.get("/certificates/{code}", response={200: CertificateOut, **ERRORS}, auth=None)
def verify_certificate(request, code: str):
    """Anyone: what the certificate certified on the day it was issued; the name partly masked.
    404 ``certificate_not_found`` for an unknown or forged code."""
    c = selectors.certificate_get_public(code)
    return {
        "code": c.code,
        "volunteer": services.mask_name(c.volunteer_name),
        "volunteer_no": c.volunteer_no,
        "issuer": c.issuer_name,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "services": c.services,
        "hours": c.hours,
        "honour_hours": c.honour_hours,
        "issued_at": c.issued_at,
        "lines": [
            {**line, "category_label": category_label(line["category"]), "beneficiary_label": beneficiary_label(line["beneficiary_type"])}
            for line in c.lines
        ],
    }
