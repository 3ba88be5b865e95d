"""Applications for assistance: apply, delegate the verification, report, decide, refer, withdraw.

Guarantees:
- every move goes through ``_move``: it locks the row, checks ``ALLOWED_TRANSITIONS`` and changes the
  status with a conditional UPDATE (``WHERE status = <what it was>``), so two staff deciding at once
  or a withdrawal racing a decision leave exactly one winner; the loser gets 409 ``invalid_transition``;
- every move writes one ``ApplicationStatusChange`` (who, when, from, to, note);
- each refusal raises an ``ApplicationError`` with its code before anything is written (documents are
  checked before the application is created), and the whole service is one transaction;
- the applicant is told of each decision with its reason and of each referral, the organisation's
  members when it is delegated to them, the community's staff when a report arrives, each in their
  own language when they read it (notification codes in accounts/notices.py), after the commit.
"""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.assistance.services import acting_for_resident, consent_note_clean
from accounts.models import Community, Membership, Organization, User
from accounts.selectors import is_resident_of
from accounts.services import notify
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.uploads import check_attachment
from relief.models import (
    ALLOWED_TRANSITIONS,
    OPEN_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Referral,
    VerificationReport,
)
from relief.selectors import is_delegated_member, is_relief_staff

# No 0/O, 1/I/L: a tracking number read over the phone is not misread.
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_DOCUMENTS = 10
MAX_HOUSEHOLD = 30
MAX_MONTHLY_INCOME = 100_000_000  # fen: one million yuan a month is certainly a typing error
REASON_MAX = 2000


def _text(value, *, field: str, max_length: int, required: bool = True, code: str = "required") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code=code, field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field)
    return value


def _check_documents(documents, *, field: str = "documents") -> list:
    documents = [d for d in (documents or []) if d]
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(_("At most %(n)d files.") % {"n": MAX_DOCUMENTS}, code="too_many_documents", field=field)
    for upload in documents:
        check_attachment(upload, field=field)
    return documents


def _new_tracking_no() -> str:
    return "JZ" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def _link(application: Application) -> str:
    return reverse("relief:detail", args=[application.pk])


def _staff_of(community_id: int):
    return User.objects.filter(memberships__community_id=community_id, memberships__role=Membership.Role.STAFF, is_active=True).distinct()


def _move(*, application: Application, to: str, actor: User, note: str = "", **fields) -> Application:
    """The one transition function. Caller holds a transaction."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if to not in ALLOWED_TRANSITIONS[Application.Status(locked.status)]:
        raise Conflict(
            _("This application is %(status)s; that cannot be done now.") % {"status": locked.get_status_display()}, code="invalid_transition"
        )
    now = timezone.now()
    changes = {"status": to, "moved_at": now, **fields}
    # The row lock above is a no-op on SQLite: the WHERE on the old status is what lets only one
    # of two racing moves (two decisions, a decision and a withdrawal) through.
    if not Application.objects.filter(pk=locked.pk, status=locked.status).update(**changes):
        raise Conflict(_("This application changed meanwhile; reload it."), code="invalid_transition")
    ApplicationStatusChange.objects.create(application=locked, from_status=locked.status, to_status=to, actor=actor, note=note[:500])
    for name, value in changes.items():
        setattr(application, name, value)
    return application


def application_submit(
    *,
    actor: User,
    community: Community,
    kind: str,
    reason: str,
    household_size: int | None = None,
    monthly_income: int | None = None,
    documents=None,
    on_behalf_of: int | None = None,
    consent_note: str = "",
) -> Application:
    """A resident applies to her community; or staff of the community apply for a resident of it
    (``on_behalf_of``) with a ``consent_note``. Answers the application with its tracking number."""
    if on_behalf_of is not None:
        if not is_relief_staff(actor, community.pk):
            raise PermissionDenied(_("Only staff of this community can apply on a resident's behalf."), code="not_staff")
        note = consent_note_clean(consent_note)
        applicant = acting_for_resident(actor=actor, user_id=on_behalf_of, community_id=community.pk)
    else:
        if not is_resident_of(actor, community.pk):
            raise PermissionDenied(_("You can apply only to the community you live in: join it as a resident first."), code="not_a_resident")
        applicant, note = actor, ""
    if kind not in Application.Kind.values:
        raise ValidationFailed(_("Choose a kind of help."), code="invalid_kind", field="kind")
    reason = _text(reason, field="reason", max_length=REASON_MAX)
    if household_size is not None and not 1 <= household_size <= MAX_HOUSEHOLD:
        raise ValidationFailed(_("A household has 1 to %(n)d people.") % {"n": MAX_HOUSEHOLD}, code="invalid_household_size", field="household_size")
    if monthly_income is not None and not 0 <= monthly_income <= MAX_MONTHLY_INCOME:
        raise ValidationFailed(_("Give the household's monthly income in yuan."), code="invalid_income", field="monthly_income")
    documents = _check_documents(documents)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    community=community, applicant=applicant, submitted_by=actor, consent_note=note, tracking_no=_new_tracking_no(),
                    kind=kind, reason=reason, household_size=household_size, monthly_income=monthly_income,
                )
                ApplicationStatusChange.objects.create(
                    application=application, from_status="", to_status=Application.Status.SUBMITTED, actor=actor, note=note
                )
                for upload in documents:
                    ApplicationDocument.objects.create(application=application, file=upload, uploaded_by=actor)
                return application
        except IntegrityError:  # a tracking number drawn twice (one in 31⁸): draw again
            continue
    raise Conflict(_("The application could not be saved; please try again."), code="not_saved")


@transaction.atomic
def application_documents_add(*, actor: User, application: Application, documents) -> list[ApplicationDocument]:
    """The applicant or staff add documents to an open application."""
    if application.applicant_id != actor.pk and not is_relief_staff(actor, application.community_id):
        raise PermissionDenied()
    if application.status not in OPEN_STATUSES:
        raise Conflict(_("This application is closed."), code="invalid_transition")
    documents = _check_documents(documents)
    if not documents:
        raise ValidationFailed(_("Choose a photo or a PDF to add."), code="required", field="documents")
    if application.documents.filter(report__isnull=True).count() + len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(_("At most %(n)d files.") % {"n": MAX_DOCUMENTS}, code="too_many_documents", field="documents")
    return [ApplicationDocument.objects.create(application=application, file=upload, uploaded_by=actor) for upload in documents]


def _require_staff(actor: User, application: Application) -> None:
    if not is_relief_staff(actor, application.community_id):
        raise PermissionDenied(_("Only staff of this community can do this."))


def _verified_organization_of_district(organization_id: int, application: Application) -> Organization:
    organization = Organization.objects.select_related("community__street").filter(pk=organization_id).first()
    if organization is None:
        raise NotFound(_("No such organisation."), code="organization_not_found", field="organization_id")
    if not organization.is_verified:
        raise ValidationFailed(_("%(org)s is not verified yet.") % {"org": organization.name}, code="organization_not_verified", field="organization_id")
    district_id = application.community.street.district_id
    if organization.community_id is None or organization.community.street.district_id != district_id:
        raise ValidationFailed(
            _("%(org)s does not work in this district.") % {"org": organization.name}, code="organization_other_district", field="organization_id"
        )
    return organization


@transaction.atomic
def application_delegate(*, actor: User, application: Application, organization_id: int, note: str = "") -> Application:
    """Staff ask a verified social-work organisation of the district to verify the application;
    its members are told."""
    _require_staff(actor, application)
    organization = _verified_organization_of_district(organization_id, application)
    note = _text(note, field="note", max_length=200, required=False)
    _move(application=application, to=Application.Status.VERIFYING, actor=actor, note=note, delegated_to=organization, delegation_note=note)
    params = {"community": application.community.name, "no": application.tracking_no, "kind": notices.label(Application.Kind(application.kind)), "note": note}
    for member in User.objects.filter(organization_memberships__organization=organization, is_active=True).distinct():
        notify(user=member, kind="relief", code="relief_delegated", params=params, url=_link(application))
    return application


@transaction.atomic
def application_report(
    *, actor: User, application: Application, findings: str, recommendation: str, suggested_referral: str = "", attachments=None
) -> VerificationReport:
    """A member of the organisation it is delegated to records the visit; staff are told."""
    if not is_delegated_member(actor, application):
        raise PermissionDenied(_("Only members of the organisation this application was given to can report on it."), code="not_delegated_member")
    findings = _text(findings, field="findings", max_length=4000)
    if recommendation not in VerificationReport.Recommendation.values:
        raise ValidationFailed(_("Recommend to approve or to reject."), code="invalid_recommendation", field="recommendation")
    suggested_referral = _text(suggested_referral, field="suggested_referral", max_length=200, required=False)
    attachments = _check_documents(attachments, field="attachments")
    _move(application=application, to=Application.Status.REPORTED, actor=actor, note=findings[:500])
    report = VerificationReport.objects.create(
        application=application, organization_id=application.delegated_to_id, author=actor, findings=findings,
        recommendation=recommendation, suggested_referral=suggested_referral,
    )
    for upload in attachments:
        ApplicationDocument.objects.create(application=application, report=report, file=upload, uploaded_by=actor)
    params = {"org": application.delegated_to.name, "no": application.tracking_no, "recommendation": notices.label(VerificationReport.Recommendation(recommendation))}
    for member in _staff_of(application.community_id):
        notify(user=member, kind="relief", code="relief_reported", params=params, url=_link(application))
    return report


@transaction.atomic
def application_decide(*, actor: User, application: Application, approve: bool, reason: str) -> Application:
    """Staff approve or reject, always with a reason the applicant reads."""
    _require_staff(actor, application)
    reason = _text(reason, field="reason", max_length=500, code="reason_required")
    to = Application.Status.APPROVED if approve else Application.Status.REJECTED
    _move(application=application, to=to, actor=actor, note=reason, decision_reason=reason, decided_at=timezone.now())
    notify(
        user=application.applicant, kind="relief", code="relief_approved" if approve else "relief_rejected",
        params={"no": application.tracking_no, "kind": notices.label(Application.Kind(application.kind)), "reason": reason}, url=_link(application),
    )
    return application


@transaction.atomic
def referral_create(
    *, actor: User, application: Application, what: str, to_organization_id: int | None = None, to_text: str = ""
) -> Referral:
    """转介: staff record other help found on the way; the applicant is told where to and for what."""
    _require_staff(actor, application)
    if application.status == Application.Status.WITHDRAWN:
        raise Conflict(_("This application was withdrawn."), code="invalid_transition")
    what = _text(what, field="what", max_length=200)
    to_text = _text(to_text, field="to_text", max_length=120, required=False)
    organization = None
    if to_organization_id is not None:
        organization = Organization.objects.filter(pk=to_organization_id).first()
        if organization is None:
            raise NotFound(_("No such organisation."), code="organization_not_found", field="to_organization_id")
        if not organization.is_verified:
            raise ValidationFailed(_("%(org)s is not verified yet.") % {"org": organization.name}, code="organization_not_verified", field="to_organization_id")
    elif not to_text:
        raise ValidationFailed(_("Say where the person is referred to: an organisation or an office."), code="referral_target_required", field="to_text")
    referral = Referral.objects.create(application=application, to_organization=organization, to_text=to_text, what=what, created_by=actor)
    notify(
        user=application.applicant, kind="relief", code="relief_referred",
        params={"no": application.tracking_no, "to": referral.target, "what": what}, url=_link(application),
    )
    return referral


@transaction.atomic
def application_withdraw(*, actor: User, application: Application) -> Application:
    """The applicant withdraws an open application (409 ``invalid_transition`` once decided)."""
    if application.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant can withdraw an application."))
    return _move(application=application, to=Application.Status.WITHDRAWN, actor=actor)


def reminders_send(*, now=None) -> int:
    """Tell each community's staff how many applications have waited for them (new, or reported)
    longer than ``ASSISTANCE_REMINDER_DAYS``; each application at most once a day. Returns how many
    staff were told. Idempotent: a second run the same day finds nothing new."""
    now = now or timezone.now()
    day = timezone.timedelta(days=1)
    waiting = Application.objects.filter(
        status__in=(Application.Status.SUBMITTED, Application.Status.REPORTED),
        moved_at__lt=now - timezone.timedelta(days=settings.ASSISTANCE_REMINDER_DAYS),
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - day))
    told = 0
    with transaction.atomic():
        ids_by_community: dict[int, list[int]] = {}
        for pk, community_id in waiting.select_for_update().values_list("pk", "community_id"):
            ids_by_community.setdefault(community_id, []).append(pk)
        for community_id, ids in ids_by_community.items():
            community = Community.objects.get(pk=community_id)
            Application.objects.filter(pk__in=ids).update(reminded_at=now)
            params = {"n": len(ids), "community": community.name, "days": settings.ASSISTANCE_REMINDER_DAYS}
            for member in _staff_of(community_id):
                notify(user=member, kind="relief", code="relief_waiting", params=params, url=reverse("relief:inbox", args=[community_id]))
                told += 1
    return told


__all__ = [
    "application_submit",
    "application_documents_add",
    "application_delegate",
    "application_report",
    "application_decide",
    "referral_create",
    "application_withdraw",
    "reminders_send",
]
