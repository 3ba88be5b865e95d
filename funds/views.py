"""Pages for charity money: donate (Stripe card element), receipt, my donations, the public funds
page with spending, and staff spending and refunds. Services do the work."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import community_get_for, is_community_staff
from core.csp import allow_stripe
from core.errors import PermissionDenied
from core.exports import export
from core.media import private_file_response
from core.pages import error_page, perform
from core.paging import page_of
from funds import selectors, services
from funds.models import Donation, Spending
from marketplace import selectors as market_selectors
from marketplace.models import Project


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
        return community_get_for(request.user, int(raw_community)), None
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
    response = render(request, "donations/donate.html", context)
    if context["configured"]:
        allow_stripe(response, settings.STRIPE_JS_URL)  # the only page that may load Stripe.js
    return response


def receipt(request, donation_id: int):
    donation = selectors.donation_get_for(request.user, donation_id, client_secret=request.GET.get("client_secret", ""))
    return render(request, "donations/receipt.html", {"donation": donation})


@login_required
def mine(request):
    page = page_of(request, Donation.objects.filter(donor=request.user).select_related("community", "project"))
    return render(request, "donations/mine.html", {"page": page})


def funds(request, community_id: int, project_id: int | None = None):
    community = community_get_for(request.user, community_id)
    project = None
    if project_id:
        # Through the selector: a project never published (a draft, a cancelled draft) is only staff's.
        project = market_selectors.project_get_for(request.user, project_id)
        if project.community_id != community.pk:
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
    community = community_get_for(request.user, community_id)
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
    donation = selectors.donation_get_for(request.user, donation_id)
    raw = request.POST.get("amount_yuan", "")
    amount = _yuan_to_fen(raw) if raw else None
    return perform(
        request,
        lambda: services.donation_refund(actor=request.user, donation=donation, amount=amount),
        success=_("Refund requested; it shows here once Stripe confirms it."),
        then=redirect("community_funds", donation.community_id),
    )


def _yuan(fen: int) -> Decimal:
    """Money in an export: yuan with two places, as a number (stored as fen)."""
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


@login_required
def donations_export(request, community_id: int):
    """The community's donations (received and refunded), as CSV or XLSX, for staff."""
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can export its donations.")))
    donations = Donation.objects.filter(community=community).select_related("project").order_by("-created_at", "-id")
    header = [_("Date"), _("Number"), _("Project"), _("Donor"), _("Amount (yuan)"), _("Refunded (yuan)"), _("Status"), _("Message")]
    rows = (
        [
            timezone.localtime(d.created_at).strftime("%Y-%m-%d %H:%M"), d.pk, d.project.title if d.project else "",
            _("Anonymous donor") if d.anonymous or not d.donor_name else d.donor_name, _yuan(d.amount), _yuan(d.refunded_amount), str(d.get_status_display()), d.message,
        ]
        for d in donations.iterator(chunk_size=1000)
    )
    return export(request.GET.get("format", "csv"), f"donations-{community.pk}", header, rows, title="donations") or export(
        "csv", f"donations-{community.pk}", header, rows
    )


def spending_voucher(request, community_id: int, spending_id: int):
    """A spending row's voucher, to whoever may see the spending record
    (``selectors.spending_visible_to``); 404 for anyone else and for a row without one."""
    spending = Spending.objects.select_related("project").filter(pk=spending_id, community_id=community_id).first()
    if spending is None or not selectors.spending_visible_to(spending, request.user):
        raise Http404
    return private_file_response(spending.voucher, download_name=f"voucher-{spending.pk}")
