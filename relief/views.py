"""Pages for assistance applications: the resident's form, list and tracking page; staff's inbox
and actions; the organisation's list and report; the district's figures. They call the same
selectors and services as ``relief.api``."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community, Membership, Organization, User
from accounts.selectors import community_get_for, staff_communities
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.exports import csv_response
from core.media import private_file_response
from core.pagecache import personal_page
from core.pages import error_page, perform
from core.paging import page_of
from relief import selectors, services
from relief.filters import ApplicationFilter
from relief.models import Application, VerificationReport


def _int_or_none(value, *, field: str, code: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationFailed(_("Enter a whole number."), code=code, field=field) from None
    if not 0 <= number < 2**31:  # an id beyond what the database holds is no id (and no 500)
        raise ValidationFailed(_("Enter a whole number."), code=code, field=field)
    return number


def _fen_or_none(value):
    """Yuan as typed (1800 or 1800.50) → fen."""
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValidationFailed(_("Give the household's monthly income in yuan."), code="invalid_income", field="monthly_income") from None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        raise ValidationFailed(_("Give the household's monthly income in yuan."), code="invalid_income", field="monthly_income")
    return int((amount * 100).to_integral_value())


@login_required
def apply(request):
    """The resident applies from her phone; staff at the service window apply for a resident."""
    user = request.user
    staffed = Community.objects.filter(pk__in=staff_communities(user)).order_by("name")
    residents = (
        User.objects.filter(memberships__community__in=staffed, memberships__role=Membership.Role.RESIDENT, is_active=True)
        .exclude(pk=user.pk).distinct().order_by("display_name", "username")
        if staffed else User.objects.none()
    )
    communities = Community.objects.filter(
        Q(memberships__user=user, memberships__role=Membership.Role.RESIDENT) | Q(pk__in=staff_communities(user))
    ).distinct().order_by("name")
    values = request.POST if request.method == "POST" else {"community": request.GET.get("community", "")}
    if request.method == "POST":
        try:
            community_id = _int_or_none(request.POST.get("community"), field="community", code="invalid")
            if community_id is None:
                raise ValidationFailed(_("Choose a community."), code="required", field="community")
            community = community_get_for(user, community_id)
            on_behalf_of = _int_or_none(request.POST.get("on_behalf_of"), field="on_behalf_of", code="invalid")
            application = services.application_submit(
                actor=user, community=community, kind=request.POST.get("kind", ""), reason=request.POST.get("reason", ""),
                household_size=_int_or_none(request.POST.get("household_size"), field="household_size", code="invalid_household_size"),
                monthly_income=_fen_or_none(request.POST.get("monthly_income")), documents=request.FILES.getlist("documents"),
                on_behalf_of=on_behalf_of, consent_note=request.POST.get("consent_note", ""),
            )
        except ApplicationError as exc:
            if exc.status in (401, 403) and exc.code != "not_a_resident":
                return error_page(request, exc)
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your application is in. Its tracking number is %(no)s.") % {"no": application.tracking_no})
            return redirect("relief:detail", application.pk)
    return render(
        request, "relief/apply.html",
        {"communities": communities, "residents": residents, "kinds": Application.Kind.choices, "values": values, "is_staff": staffed.exists()},
    )


@login_required
def mine(request):
    """The resident's own applications, and those delegated to her organisations."""
    return render(
        request, "relief/mine.html",
        {"applications": selectors.applications_of(request.user), "delegated": selectors.applications_delegated_to_member(request.user)},
    )


@login_required
def delegated(request):
    """The organisation member's list: applications delegated to her organisations."""
    return render(request, "relief/delegated.html", {"applications": selectors.applications_delegated_to_member(request.user)})


def _steps(application: Application) -> list[dict]:
    return [
        {"status": h.get_to_status_display(), "key": h.to_status, "at": h.created_at, "by": h.actor.shown_name if h.actor else "", "note": h.note}
        for h in selectors.application_history(application)
    ]


def detail(request, application_id: int):
    """The tracking page: every step, the decision and its reason, referrals; and the forms of
    whoever may act now. 404 for anyone who may not know the application."""
    application = selectors.application_get_for(request.user, application_id)
    viewer = request.user
    is_staff = selectors.is_relief_staff(viewer, application.community_id)
    is_member = selectors.is_delegated_member(viewer, application)
    context = {
        "application": application,
        "sensitive": selectors.can_read_sensitive(viewer, application),
        "steps": _steps(application),
        "documents": selectors.application_documents(application),
        "reports": application.reports.select_related("organization", "author").prefetch_related("attachments"),
        "referrals": application.referrals.select_related("to_organization"),
        "is_applicant": application.applicant_id == viewer.pk,
        "is_staff": is_staff,
        "can_report": is_member and application.status == Application.Status.VERIFYING,
        "can_delegate": is_staff and application.status == Application.Status.SUBMITTED,
        "can_decide": is_staff and application.status in (Application.Status.SUBMITTED, Application.Status.REPORTED),
        "can_refer": is_staff and application.status != Application.Status.WITHDRAWN,
        "can_withdraw": application.applicant_id == viewer.pk and application.is_open,
        "can_add_documents": (application.applicant_id == viewer.pk or is_staff) and application.is_open,
        "organizations": selectors.delegable_organizations(application) if is_staff else [],
        "referral_organizations": Organization.objects.filter(status=Organization.Status.VERIFIED).order_by("name") if is_staff else [],
        "recommendations": VerificationReport.Recommendation.choices,
    }
    return render(request, "relief/detail.html", context)


def _act(request, application_id: int, action, success: str):
    application = selectors.application_get_for(request.user, application_id)
    return perform(request, lambda: action(application), success=success, then=redirect("relief:detail", application.pk))


@login_required
@require_POST
def withdraw(request, application_id: int):
    return _act(request, application_id, lambda a: services.application_withdraw(actor=request.user, application=a), _("The application was withdrawn."))


@login_required
@require_POST
def delegate(request, application_id: int):
    def action(a):
        organization_id = _int_or_none(request.POST.get("organization"), field="organization_id", code="invalid")
        if organization_id is None:
            raise ValidationFailed(_("Choose an organisation."), code="required", field="organization_id")
        return services.application_delegate(actor=request.user, application=a, organization_id=organization_id, note=request.POST.get("note", ""))

    return _act(request, application_id, action, _("The organisation was asked to verify the application."))


@login_required
@require_POST
def decide(request, application_id: int):
    approve = request.POST.get("approve") == "1"

    def action(a):
        if request.POST.get("approve") not in ("0", "1"):
            raise ValidationFailed(_("Approve or reject."), code="required", field="approve")
        return services.application_decide(actor=request.user, application=a, approve=approve, reason=request.POST.get("reason", ""))

    return _act(request, application_id, action, _("The application was approved.") if approve else _("The application was rejected."))


@login_required
@require_POST
def refer(request, application_id: int):
    def action(a):
        return services.referral_create(
            actor=request.user, application=a, what=request.POST.get("what", ""),
            to_organization_id=_int_or_none(request.POST.get("to_organization"), field="to_organization_id", code="invalid"),
            to_text=request.POST.get("to_text", ""),
        )

    return _act(request, application_id, action, _("The referral was recorded; the applicant is told."))


@login_required
@require_POST
def report(request, application_id: int):
    def action(a):
        return services.application_report(
            actor=request.user, application=a, findings=request.POST.get("findings", ""), recommendation=request.POST.get("recommendation", ""),
            suggested_referral=request.POST.get("suggested_referral", ""), attachments=request.FILES.getlist("attachments"),
        )

    return _act(request, application_id, action, _("Your report was sent to the community."))


@login_required
@require_POST
def add_documents(request, application_id: int):
    def action(a):
        return services.application_documents_add(actor=request.user, application=a, documents=request.FILES.getlist("documents"))

    return _act(request, application_id, action, _("The documents were added."))


def document(request, application_id: int, document_id: int):
    """A document or a report's attachment, to the application's sensitive readers only; 404 for
    anyone else (no login page: a stranger does not learn that it exists)."""
    doc = selectors.document_get_for(request.user, application_id, document_id)
    return private_file_response(doc.file, download_name=f"{doc.application.tracking_no}-{doc.pk}")


@login_required
@personal_page(params=(*ApplicationFilter.base_filters, "page"))
def inbox(request, community_id: int):
    """Staff's inbox: new applications and reports waiting for a decision, oldest first; and the rest."""
    community = community_get_for(request.user, community_id)
    if not selectors.is_relief_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this.")))
    # The oldest LONG_PAGE_SIZE that wait, and how many more (decided oldest first, they come up in
    # turn); the whole list a page at a time, every row reachable (it stopped at 100 before #35).
    waiting = list(selectors.staff_inbox(community.pk)[: settings.LONG_PAGE_SIZE + 1])
    more_waiting = selectors.staff_inbox(community.pk).count() - settings.LONG_PAGE_SIZE if len(waiting) > settings.LONG_PAGE_SIZE else 0
    filters = {key: value for key, value in request.GET.dict().items() if key != "page"}
    try:  # the same FilterSet as GET /api/v1/assistance/applications
        listed = selectors.application_list(request.user, filters={**filters, "community": community.pk})
    except ApplicationError as exc:
        return error_page(request, exc)
    page = page_of(request, listed.order_by("-created_at", "-id"), long=True, capped=True)
    context = {
        "community": community, "waiting": waiting[: settings.LONG_PAGE_SIZE], "more_waiting": more_waiting, "page": page,
        "others": page.object_list, "statuses": Application.Status.choices, "kinds": Application.Kind.choices, "chosen": request.GET,
    }
    return render(request, "relief/inbox.html", context)


def _district_only(request):
    if not (request.user.is_authenticated and request.user.is_superuser):
        return error_page(request, PermissionDenied(_("These figures are for the district administrator.")))
    return None


def district(request):
    """Counts by kind and status, time to decision and the oldest wait per community: no names."""
    if refused := _district_only(request):
        return refused
    rows = selectors.district_figures()
    context = {
        "rows": rows,
        "statuses": Application.Status.choices,
        "kinds": Application.Kind.choices,
        "oldest": selectors.oldest_waiting(),
    }
    return render(request, "relief/district.html", context)


def district_export(request):
    """The same figures as CSV, without names."""
    if refused := _district_only(request):
        return refused
    statuses, kinds = Application.Status.choices, Application.Kind.choices
    header = [_("Street"), _("Community"), *[str(label) for _v, label in statuses], *[str(label) for _v, label in kinds],
              _("Decided"), _("Average days to decision"), _("Oldest waiting (days)")]
    rows = (
        [r.community.street.name, r.community.name, *r.status_counts, *r.kind_counts,
         r.decided, r.average_days_to_decision if r.average_days_to_decision is not None else "", r.oldest_waiting_days if r.oldest_waiting_days is not None else ""]
        for r in selectors.district_figures()
    )
    return csv_response("assistance-applications.csv", header, rows)

