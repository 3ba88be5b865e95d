"""Pages for charity money: donate (Stripe card element), receipt, my donations, the public funds
page with spending, and staff spending and refunds. Services do the work."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community
from accounts.selectors import is_community_staff
from config.errors import NotFound
from config.pages import perform
from marketplace.models import Project
from orders import selectors, services
from orders.models import Donation, Spending


def _scope(request):
    """The fund a page is about: a project's (and its community's) or a community's."""
    project = None
    raw_project, raw_community = request.GET.get("project", ""), request.GET.get("community", "")
    if raw_project.isdigit():
        project = Project.objects.select_related("community").filter(pk=int(raw_project), published_at__isnull=False).first()
        if project is None:
            raise Http404
        return project.community, project
    if raw_community.isdigit():
        return get_object_or_404(Community, pk=int(raw_community)), None
    raise Http404


def donate(request):
    community, project = _scope(request)
    context = {
        "community": community,
        "project": project,
        "configured": services.payments_configured() and bool(settings.STRIPE_PUBLISHABLE_KEY),
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "min_yuan": settings.DONATION_MIN / 100,
        "max_yuan": settings.DONATION_MAX / 100,
    }
    return render(request, "donations/donate.html", context)


def _donation_for(request, donation_id: int, *, client_secret: str = "") -> Donation:
    try:
        return selectors.donation_get_for(donation_id, request.user, client_secret=client_secret)
    except NotFound:
        raise Http404 from None


def receipt(request, donation_id: int):
    donation = _donation_for(request, donation_id, client_secret=request.GET.get("client_secret", ""))
    return render(request, "donations/receipt.html", {"donation": donation})


@login_required
def mine(request):
    page = Paginator(Donation.objects.filter(donor=request.user).select_related("community", "project"), 20).get_page(request.GET.get("page"))
    return render(request, "donations/mine.html", {"page": page})


def funds(request, community_id: int, project_id: int | None = None):
    community = get_object_or_404(Community, pk=community_id)
    project = None
    if project_id:
        # Through the selector: a project never published (a draft, a cancelled draft) is only staff's.
        from marketplace.selectors import project_get

        project = project_get(project_id, viewer=request.user)
        if project is None or project.community_id != community.pk:
            raise Http404
    donations = Donation.objects.filter(community=community, status__in=["succeeded", "refunded"]).select_related("project")
    spendings = Spending.objects.filter(community=community).select_related("project", "corrects")
    if project is not None:
        donations, spendings = donations.filter(project=project), spendings.filter(project=project)
    context = {
        "community": community,
        "project": project,
        "figures": services.fund_figures(community=community, project=project),
        "donations": donations[:100],
        "spendings": spendings[:100],
        "is_staff": is_community_staff(request.user, community.pk),
        "projects": community.projects.filter(published_at__isnull=False),
        "today": date.today(),
    }
    return render(request, "donations/funds.html", context)


def _yuan_to_fen(raw: str) -> int:
    try:
        return int(round(float(raw) * 100))
    except (TypeError, ValueError):
        return 0


@login_required
@require_POST
def record_spending(request, community_id: int):
    community = get_object_or_404(Community, pk=community_id)
    raw_project, raw_corrects = request.POST.get("project", ""), request.POST.get("corrects", "")
    project = Project.objects.filter(pk=int(raw_project), community=community).first() if raw_project.isdigit() else None
    corrects = Spending.objects.filter(pk=int(raw_corrects), community=community).first() if raw_corrects.isdigit() else None
    try:
        spent_on = date.fromisoformat(request.POST.get("spent_on", ""))
    except ValueError:
        spent_on = date.today()
    return perform(
        request,
        lambda: services.spending_record(
            actor=request.user, community=community, amount=_yuan_to_fen(request.POST.get("amount_yuan", "")), spent_on=spent_on,
            purpose=request.POST.get("purpose", ""), payee=request.POST.get("payee", ""), project=project, corrects=corrects,
            voucher=request.FILES.get("voucher"),
        ),
        success=_("Spending recorded."),
        then=redirect("community_funds", community.pk),
    )


@login_required
@require_POST
def refund(request, donation_id: int):
    donation = _donation_for(request, donation_id)
    raw = request.POST.get("amount_yuan", "")
    amount = _yuan_to_fen(raw) if raw else None
    return perform(
        request,
        lambda: services.donation_refund(actor=request.user, donation=donation, amount=amount),
        success=_("Refund requested; it shows here once Stripe confirms it."),
        then=redirect("community_funds", donation.community_id),
    )


@login_required
def donations_export(request, community_id: int):
    """The community's donations (received and refunded), as CSV or XLSX, for staff."""
    from django.utils import timezone

    from config.errors import PermissionDenied
    from config.exports import export
    from config.pages import error_page

    community = get_object_or_404(Community, pk=community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can export its donations.")))
    donations = Donation.objects.filter(community=community).select_related("project").order_by("-created_at", "-id")
    header = [_("Date"), _("Number"), _("Project"), _("Donor"), _("Amount (fen)"), _("Refunded (fen)"), _("Status"), _("Message")]
    rows = (
        [
            timezone.localtime(d.created_at).strftime("%Y-%m-%d %H:%M"), d.pk, d.project.title if d.project else "",
            _("Anonymous donor") if d.anonymous or not d.donor_name else d.donor_name, d.amount, d.refunded_amount, str(d.get_status_display()), d.message,
        ]
        for d in donations.iterator(chunk_size=1000)
    )
    return export(request.GET.get("format", "csv"), f"donations-{community.pk}", header, rows, title="donations") or export(
        "csv", f"donations-{community.pk}", header, rows
    )
