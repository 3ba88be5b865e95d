"""Pages of 基层事务信息公开: policy search and pages, service items, the public funds page (and its
CSV/XLSX), supervision reports (form, tracking, public list), and the staff's management page.
They parse input and call the same selectors and services as the API."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community, Street
from accounts.selectors import community_get_for, is_community_staff
from affairs import selectors, services
from affairs.models import Fund, PolicyCategory, Report, ServiceItem, SpendingLine
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.exports import export
from core.media import private_file_response
from core.pagecache import personal_page
from core.pages import error_page, perform
from core.paging import page_of
from core.ratelimit import check as rate_limit
from marketplace.models import Project


def _int(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _yuan_to_fen(raw: str) -> int:
    try:
        return int(round(float(raw) * 100))
    except (TypeError, ValueError, OverflowError):
        return 0


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return date.today()


# --- Policies and service items ----------------------------------------------------------------------
@personal_page(params=("q", "category", "community", "page"))
def policies(request):
    """Search policies and service items by words (two Chinese characters are enough) and category."""
    data = {key: request.GET.get(key, "").strip()[:100] for key in ("q", "category", "community") if request.GET.get(key, "").strip()}
    if data.get("category") not in (None, *PolicyCategory.values):
        data.pop("category")
    if "community" in data and not data["community"].isdigit():
        data.pop("community")
    page = page_of(request, selectors.policy_list(data))
    items = selectors.service_item_list(data)[:10] if data.get("q") else []
    context = {"page": page, "items": items, "q": data.get("q", ""), "category": data.get("category", ""),
               "categories": PolicyCategory.choices, "communities": Community.objects.all()[:200], "community": data.get("community", "")}
    return render(request, "affairs/policies.html", context)


def policy_detail(request, policy_id: int):
    policy = selectors.policy_get_for(request.user, policy_id)
    item = policy.service_item
    return render(request, "affairs/policy.html", {"policy": policy, "item": item, "apply_url": selectors.online_action_url(item) if item else ""})


def service_item_detail(request, item_id: int):
    item = selectors.service_item_get_for(request.user, item_id)
    return render(request, "affairs/service_item.html", {
        "item": item, "apply_url": selectors.online_action_url(item), "policies": selectors.policies_for_service_item(item),
    })


# --- Funds ----------------------------------------------------------------------------------------------
def funds(request):
    """Every fund of a community, a street or the whole district, with what each spent, and the
    totals; ``?format=csv|xlsx`` gives every spending line."""
    data = {}
    scope_name = _("Jiangbei District")
    community_id, street_id = _int(request.GET.get("community")), _int(request.GET.get("street"))
    if community_id is not None:
        community = community_get_for(request.user, community_id)
        data["community"], scope_name = community_id, community.name
    elif street_id is not None:
        street = get_object_or_404(Street, pk=street_id)
        data["street"], scope_name = street_id, street.name
    rows = selectors.public_funds(data)
    totals = {"amount": sum(r.amount for r in rows), "spent": sum(r.spent for r in rows)}
    totals["left"] = totals["amount"] - totals["spent"]
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _funds_export(fmt, rows, scope_name)
    query = request.GET.copy()
    query.pop("format", None)
    context = {"rows": rows, "totals": totals, "scope_name": scope_name, "query": query.urlencode(),
               "communities": Community.objects.select_related("street")[:200], "streets": Street.objects.all()[:100],
               "community_id": community_id, "street_id": street_id}
    return render(request, "affairs/funds.html", context)


def _funds_export(fmt: str, rows, scope_name: str):
    header = [_("Fund"), _("Source"), _("Year"), _("Community"), _("Date"), _("What it paid for"), _("Project"), _("Amount (fen)")]

    def lines():
        for row in rows:
            if row.id is not None:
                spending = ((s.at, s.what, s.project.title if s.project else "", s.amount) for s in selectors.fund_lines(Fund(pk=row.id)))
            else:
                spending = ((s.spent_on, s.purpose, s.project.title if s.project else "", s.amount) for s in selectors.donation_lines(row.community_id))
            yield [row.name, str(row.get_source_display()), row.year, row.community_name or _("Whole district"), "", _("Amount of the fund"), "", row.amount]
            for at, what, project, amount in spending:
                yield [row.name, str(row.get_source_display()), row.year, row.community_name, at, what, project, -amount]

    return export(fmt, "public-funds", header, lines(), title=scope_name)


def fund_detail(request, fund_id: int):
    fund = selectors.fund_get_for(request.user, fund_id)
    lines = list(selectors.fund_lines(fund))
    may_record = fund.community_id is not None and is_community_staff(request.user, fund.community_id) or request.user.is_superuser
    projects = Project.objects.filter(community_id=fund.community_id, published_at__isnull=False) if fund.community_id else Project.objects.none()
    return render(request, "affairs/fund.html", {"fund": fund, "lines": lines, "left": fund.amount - fund.spent, "may_record": may_record,
                                                 "projects": projects, "today": date.today()})


def fund_voucher(request, line_id: int):
    """A spending line's voucher: public information, like the line, served through this view."""
    line = SpendingLine.objects.filter(pk=line_id).first()
    if line is None or not line.voucher:
        raise Http404
    return private_file_response(line.voucher, download_name=f"voucher-{line.pk}")


@login_required
@require_POST
def spending_new(request, fund_id: int):
    fund = selectors.fund_get_for(request.user, fund_id)
    project_id = _int(request.POST.get("project"))
    project = Project.objects.filter(pk=project_id).first() if project_id else None
    return perform(
        request,
        lambda: services.spending_line_record(
            actor=request.user, fund=fund, amount=_yuan_to_fen(request.POST.get("amount_yuan", "")), what=request.POST.get("what", ""),
            at=_date(request.POST.get("at", "")), project=project, voucher=request.FILES.get("voucher"),
        ),
        success=_("Spending recorded."),
        then=redirect("affairs:fund", fund.pk),
    )


# --- Reports --------------------------------------------------------------------------------------------
@login_required
def report_new(request):
    community_id = _int(request.GET.get("community") or request.POST.get("community"))
    context = {"communities": Community.objects.select_related("street")[:200], "community_id": community_id, "values": request.POST}
    if request.method == "POST":
        try:
            rate_limit(request, "report_create", per=f"user:{request.user.pk}")
            community = Community.objects.filter(pk=community_id).first() if community_id else None
            if community is None:
                raise NotFound(_("Choose your community."), code="community_not_found", field="community")
            report = services.report_create(actor=request.user, community=community, subject=request.POST.get("subject", ""),
                                            text=request.POST.get("text", ""), anonymous=request.POST.get("anonymous") == "1")
        except ApplicationError as exc:
            context["error"] = exc
            return render(request, "affairs/report_new.html", context, status=exc.status)
        messages.success(request, _("Your report was received. Keep its tracking number: %(no)s") % {"no": report.tracking_no})
        return redirect("affairs:report_track", report.tracking_no)
    return render(request, "affairs/report_new.html", context)


@login_required
def report_track(request, tracking_no: str):
    report = selectors.report_get_by_tracking_no(request.user, tracking_no)
    return render(request, "affairs/report_track.html", {"report": report, "history": report.history.all()})


@login_required
def report_find(request):
    """The tracking box: a number typed in goes to its page (404 there if it is not yours)."""
    number = (request.GET.get("no") or "").strip().upper()[:20]
    if number:
        return redirect("affairs:report_track", number)
    mine = Report.objects.filter(author=request.user).select_related("community")[:50]
    return render(request, "affairs/report_find.html", {"mine": mine})


def reports_public(request):
    data = {"community": request.GET["community"]} if (request.GET.get("community") or "").isdigit() else {}
    page = page_of(request, selectors.public_reports(data))
    return render(request, "affairs/reports_public.html", {"page": page, "communities": Community.objects.all()[:200],
                                                           "community_id": _int(data.get("community"))})


# --- Staff ----------------------------------------------------------------------------------------------
def _staff_community(request, community_id: int) -> Community:
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        raise PermissionDenied(_("Only staff of this community can manage its public affairs."))
    return community


def manage(request, community_id: int):
    """The staff's page: publish policies and service items, record funds, answer reports."""
    try:
        community = _staff_community(request, community_id)
    except PermissionDenied as exc:
        return error_page(request, exc)
    reports = selectors.reports_for_staff(request.user, {"community": community.pk})[:100]
    rows = [(r, selectors.report_author_name(request.user, r)) for r in reports]
    context = {
        "community": community, "reports": rows, "categories": PolicyCategory.choices, "online_actions": ServiceItem.OnlineAction.choices,
        "funds": selectors.fund_queryset({"community": community.pk}), "items": ServiceItem.objects.filter(community=community)[:100],
        "sources": [(Fund.Source.GOVERNMENT, Fund.Source.GOVERNMENT.label), (Fund.Source.CHARITY, Fund.Source.CHARITY.label)],
        "reply_statuses": [(s, s.label) for s in (Report.Status.IN_PROGRESS, Report.Status.RESOLVED, Report.Status.UNFOUNDED)],
        "today": date.today(), "district_admin": request.user.is_superuser,
    }
    return render(request, "affairs/manage.html", context)


def _manage_scope(request, community: Community) -> Community | None:
    # The district admin may publish for the whole district from any community's page.
    return None if request.user.is_superuser and request.POST.get("district") == "1" else community


@login_required
@require_POST
def policy_new(request, community_id: int):
    community = community_get_for(request.user, community_id)
    item_id = _int(request.POST.get("service_item"))
    item = ServiceItem.objects.filter(pk=item_id).first() if item_id else None
    return perform(
        request,
        lambda: services.policy_create(
            actor=request.user, title=request.POST.get("title", ""), category=request.POST.get("category", ""), issuer=request.POST.get("issuer", ""),
            summary=request.POST.get("summary", ""), body=request.POST.get("body", ""), effective_at=_date(request.POST.get("effective_at", "")),
            community=_manage_scope(request, community), url=request.POST.get("url", ""), service_item=item,
        ),
        success=_("Policy published."),
        then=redirect("affairs:manage", community.pk),
    )


@login_required
@require_POST
def service_item_new(request, community_id: int):
    community = community_get_for(request.user, community_id)
    return perform(
        request,
        lambda: services.service_item_create(
            actor=request.user, name=request.POST.get("name", ""), category=request.POST.get("category", ""), where=request.POST.get("where", ""),
            how_to_apply=request.POST.get("how_to_apply", ""), documents=request.POST.get("documents", ""),
            community=_manage_scope(request, community), online_action=request.POST.get("online_action", "none"),
        ),
        success=_("Service item published."),
        then=redirect("affairs:manage", community.pk),
    )


@login_required
@require_POST
def fund_new(request, community_id: int):
    community = community_get_for(request.user, community_id)
    return perform(
        request,
        lambda: services.fund_create(
            actor=request.user, name=request.POST.get("name", ""), source=request.POST.get("source", ""),
            amount=_yuan_to_fen(request.POST.get("amount_yuan", "")), year=_int(request.POST.get("year")) or 0,
            community=_manage_scope(request, community),
        ),
        success=_("Fund recorded."),
        then=redirect("affairs:manage", community.pk),
    )


@login_required
@require_POST
def report_reply(request, report_id: int):
    report = selectors.report_get_for(request.user, report_id)
    return perform(
        request,
        lambda: services.report_reply(actor=request.user, report=report, reply=request.POST.get("reply", ""), status=request.POST.get("status", ""),
                                      public=request.POST.get("public") == "1"),
        success=_("Reply saved."),
        then=redirect(reverse("affairs:manage", args=[report.community_id]) + f"#report-{report.pk}"),
    )


@login_required
@require_POST
def report_escalate(request, report_id: int):
    report = selectors.report_get_for(request.user, report_id)
    return perform(
        request,
        lambda: services.report_escalate(actor=request.user, report=report),
        success=_("Escalated to the district."),
        then=redirect(reverse("affairs:manage", args=[report.community_id]) + f"#report-{report.pk}"),
    )
