"""Assistance applications (社会救助云申请 · 困难群众直通车), as the API contract's third round says.

Every endpoint fetches through ``selectors.application_get_for`` (404 for anyone who may not know
the application) and moves it through a service; the sensitive fields come out as ``null`` (and no
documents) for a reader who may not see them (``selectors.can_read_sensitive``)."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import AUTH
from accounts.selectors import community_get_for
from core.api import ERRORS, PageNumberPagination
from relief import selectors, services
from relief.models import Application

router = Router(tags=["assistance applications"])


class ApplicationIn(Schema):
    community_id: int
    kind: str = Field(..., max_length=20, description="minimum_living, temporary, medical, disability_aid or other")
    reason: str = Field(..., max_length=2000)
    household_size: int | None = Field(None, ge=0, le=1000)
    monthly_income: int | None = Field(None, ge=0, le=10**12, description="The household's monthly income in fen.")
    on_behalf_of: int | None = Field(None, description="Staff only: the resident applied for, with consent_note.")
    consent_note: str = Field("", max_length=200)


class ApplicationCreatedOut(Schema):
    id: int
    tracking_no: str
    status: str


class HistoryOut(Schema):
    status: str
    from_status: str
    at: datetime
    by: str | None
    note: str


class ReferralOut(Schema):
    id: int
    to_organization_id: int | None
    to: str
    what: str
    at: datetime


class DocumentOut(Schema):
    id: int
    url: str
    uploaded_at: datetime


class VerificationReportOut(Schema):
    organization_id: int
    findings: str
    recommendation: str
    suggested_referral: str
    at: datetime


class ApplicationOut(Schema):
    id: int
    tracking_no: str
    community_id: int
    applicant: str
    kind: str
    reason: str
    status: str
    household_size: int | None = Field(None, description="null for a reader who may not see it")
    monthly_income: int | None = Field(None, description="fen; null for a reader who may not see it")
    sensitive_hidden: bool
    delegated_to_id: int | None
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None


class ApplicationDetailOut(ApplicationOut):
    history: list[HistoryOut]
    referrals: list[ReferralOut]
    reports: list[VerificationReportOut]
    documents: list[DocumentOut]


class _Rows:
    """A queryset the paginator slices in the database, shaped row by row only for the page shown
    (a list comprehension would read and shape every application the viewer may see)."""

    def __init__(self, qs, shape):
        self.qs, self.shape = qs, shape

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = self.qs[index]
        return [self.shape(r) for r in rows] if isinstance(index, slice) else self.shape(rows)


def _fields(application: Application, viewer) -> dict:
    sensitive = selectors.can_read_sensitive(viewer, application)
    return {
        "id": application.pk, "tracking_no": application.tracking_no, "community_id": application.community_id,
        "applicant": application.applicant.shown_name, "kind": application.kind, "reason": application.reason, "status": application.status,
        "household_size": application.household_size if sensitive else None,
        "monthly_income": application.monthly_income if sensitive else None,
        "sensitive_hidden": not sensitive, "delegated_to_id": application.delegated_to_id,
        "decision_reason": application.decision_reason, "created_at": application.created_at, "decided_at": application.decided_at,
    }


def _detail(application: Application, viewer) -> dict:
    out = _fields(application, viewer)
    out["history"] = [
        {"status": h.to_status, "from_status": h.from_status, "at": h.created_at, "by": h.actor.shown_name if h.actor else None, "note": h.note}
        for h in selectors.application_history(application)
    ]
    out["referrals"] = [
        {"id": r.pk, "to_organization_id": r.to_organization_id, "to": r.target, "what": r.what, "at": r.created_at}
        for r in application.referrals.select_related("to_organization")
    ]
    out["reports"] = [
        {"organization_id": r.organization_id, "findings": r.findings, "recommendation": r.recommendation,
         "suggested_referral": r.suggested_referral, "at": r.created_at}
        for r in application.reports.all()
    ]
    out["documents"] = (
        [
            {"id": d.pk, "url": reverse("relief:document", args=[application.pk, d.pk]), "uploaded_at": d.created_at}
            for d in application.documents.all()
        ]
        if not out["sensitive_hidden"]
        else []
    )
    return out


class ApplicationFilterIn(Schema):
    status: str | None = None
    kind: str | None = None
    community: int | None = None


class DelegateIn(Schema):
    organization_id: int
    note: str = Field("", max_length=200)


class VerificationReportIn(Schema):
    findings: str = Field(..., max_length=4000)
    recommendation: str = Field(..., max_length=10, description="approve or reject")
    suggested_referral: str = Field("", max_length=200)


class ApplicationDecideIn(Schema):
    approve: bool
    reason: str = Field(..., max_length=500)


class ReferralIn(Schema):
    to_organization_id: int | None = None
    to_text: str = Field("", max_length=120)
    what: str = Field(..., max_length=200)


@router.post("/assistance/applications", response={201: ApplicationCreatedOut, **ERRORS}, auth=AUTH)
def submit(request, payload: ApplicationIn):
    community = community_get_for(request.auth, payload.community_id)
    application = services.application_submit(
        actor=request.auth, community=community, kind=payload.kind, reason=payload.reason, household_size=payload.household_size,
        monthly_income=payload.monthly_income, on_behalf_of=payload.on_behalf_of, consent_note=payload.consent_note,
    )
    return Status(201, application)


@router.get("/assistance/applications", response={200: list[ApplicationOut], **ERRORS}, auth=AUTH)
@paginate(PageNumberPagination)
def application_list(request, filters: Query[ApplicationFilterIn]):
    """The caller's own applications, those of the communities they staff, and those delegated to
    their organisations."""
    qs = selectors.application_list(request.auth, filters=filters.dict(exclude_none=True))
    return _Rows(qs, lambda a: _fields(a, request.auth))


@router.get("/assistance/applications/{application_id}", response={200: ApplicationDetailOut, **ERRORS}, auth=AUTH)
def application_detail(request, application_id: int):
    return _detail(selectors.application_get_for(request.auth, application_id), request.auth)


@router.post("/assistance/applications/{application_id}/delegate", response={200: ApplicationOut, **ERRORS}, auth=AUTH)
def delegate(request, application_id: int, payload: DelegateIn):
    application = selectors.application_get_for(request.auth, application_id)
    services.application_delegate(actor=request.auth, application=application, organization_id=payload.organization_id, note=payload.note)
    return _fields(application, request.auth)


@router.post("/assistance/applications/{application_id}/report", response={200: ApplicationOut, **ERRORS}, auth=AUTH)
def report(request, application_id: int, payload: VerificationReportIn):
    application = selectors.application_get_for(request.auth, application_id)
    services.application_report(
        actor=request.auth, application=application, findings=payload.findings, recommendation=payload.recommendation,
        suggested_referral=payload.suggested_referral,
    )
    return _fields(application, request.auth)


@router.post("/assistance/applications/{application_id}/decide", response={200: ApplicationOut, **ERRORS}, auth=AUTH)
def decide(request, application_id: int, payload: ApplicationDecideIn):
    application = selectors.application_get_for(request.auth, application_id)
    services.application_decide(actor=request.auth, application=application, approve=payload.approve, reason=payload.reason)
    return _fields(application, request.auth)


@router.post("/assistance/applications/{application_id}/referrals", response={201: ReferralOut, **ERRORS}, auth=AUTH)
def refer(request, application_id: int, payload: ReferralIn):
    application = selectors.application_get_for(request.auth, application_id)
    referral = services.referral_create(
        actor=request.auth, application=application, what=payload.what, to_organization_id=payload.to_organization_id, to_text=payload.to_text
    )
    return Status(201, {"id": referral.pk, "to_organization_id": referral.to_organization_id, "to": referral.target, "what": referral.what,
                        "at": referral.created_at})


@router.post("/assistance/applications/{application_id}/withdraw", response={200: ApplicationOut, **ERRORS}, auth=AUTH)
def withdraw(request, application_id: int):
    application = selectors.application_get_for(request.auth, application_id)
    services.application_withdraw(actor=request.auth, application=application)
    return _fields(application, request.auth)
