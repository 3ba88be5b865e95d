"""Dashboards (community staff, district admin), the public information page, and exports."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Community, Guardian, Membership
from accounts.selectors import (
    community_get_for,
    community_list,
    is_community_staff,
    my_memberships,
    staff_communities,
    user_pending_invitations,
)
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.exports import export
from core.masking import mask_name
from core.pagecache import personal_page
from core.pages import error_page
from core.templatetags.numbers import money, thousands
from dashboards import figures as dashboard
from dashboards import mydata
from dashboards.charts import column_chart, hbar_chart, resolution_buckets
from dashboards.role_homes import district_home_context, org_admin_organizations, org_home_context
from dashboards.workbench import workbench_sections
from funds.services import fund_figures
from marketplace import selectors
from marketplace.models import Need, Project, Task
from orders.selectors import my_open_claims, services_waiting_for
from orders.services.claims.deliver import CHECKIN_OPENS_BEFORE_START
from points.selectors import community_rule, person_balance, reward_list
from records.selectors import community_service_totals, volunteer_record_totals


@personal_page
def home(request):
    """``/``: for a visitor, what the platform is and the open tasks; for a signed-in person, their
    own home: the next task, their hours and points, and what is waiting for them."""
    open_tasks = selectors.as_cards(selectors.task_list(viewer=request.user)).filter(status=Task.Status.OPEN, starts_at__gt=timezone.now())
    if not request.user.is_authenticated:
        return render(request, "home.html", {"communities": community_list()[:12], "open_tasks": open_tasks[:6]})
    user = request.user
    # Staff start their day on their workbench: what is waiting for them.
    memberships = my_memberships(user)  # also the navigation's: one query for both
    # (the lowest community id they staff, as first_staff_community_id says)
    workbench = min((m.community_id for m in memberships if m.role == Membership.Role.STAFF), default=None)
    if workbench is not None:
        return redirect("workbench", workbench)
    # The district admin and an organisation's admin (not a member of any community) get their
    # own desk: what their role does next (#28).
    if user.is_superuser and not memberships:
        return render(request, "home_district.html", district_home_context(user))
    if not memberships and (organizations := org_admin_organizations(user)):
        return render(request, "home_org.html", org_home_context(user, organizations))
    now = timezone.now()
    community_ids = sorted({m.community_id for m in memberships})
    next_claim, to_submit = my_open_claims(user, now)
    # Services for me, or for someone who named me their guardian (#22), to confirm or to rate.
    wards = list(Guardian.objects.filter(guardian=user, accepted_at__isnull=False).values_list("resident_id", flat=True))
    to_confirm, to_rate = services_waiting_for(user, wards)
    for claim in to_confirm + to_rate:  # "for 张*明" when it is for the person I look after
        claim.for_name = mask_name(claim.task.beneficiary.shown_name) if claim.task.beneficiary_id != user.pk else ""
    # "Waiting for me" holds only what needs this person's action and leaves once done; a reply to
    # a need is news, not a task: it is in the notifications (need_status).
    # The record's totals and this year's hours in one query.
    totals = volunteer_record_totals(user, year=now.year)
    context = {
        "next_claim": next_claim,
        "checkin_open": next_claim is not None and next_claim.task.starts_at - CHECKIN_OPENS_BEFORE_START <= now,
        "to_submit": to_submit,
        "to_rate": to_rate,
        "to_confirm": to_confirm,
        "invitations": user_pending_invitations(user)[:5],
        "totals": totals,
        "year_hours": totals["year_hours"],
        "points": person_balance(user),
        "rewards_community": community_ids[0] if community_ids else None,
        "memberships": memberships,
        "is_resident": any(m.role == "resident" for m in memberships),
        # Hours are for people who serve; a resident who only asks for help is not shown two zeros.
        "serves": any(m.role == "volunteer" for m in memberships) or totals["services"] > 0,
        "is_staff_anywhere": user.is_superuser or any(m.role == Membership.Role.STAFF for m in memberships),
        "my_tasks": open_tasks.filter(community_id__in=community_ids)[:4] if community_ids else open_tasks[:4],
    }
    return render(request, "home_personal.html", context)


FIGURE_LABELS = [
    ("needs_received", gettext_lazy("Needs received")),
    ("needs_major", gettext_lazy("Needs: major matters")),
    ("needs_minor", gettext_lazy("Needs: minor matters")),
    ("needs_private", gettext_lazy("Needs: private matters")),
    ("needs_resolved", gettext_lazy("Needs resolved")),
    ("median_days_to_resolve", gettext_lazy("Median days to resolve")),
    ("tasks_published", gettext_lazy("Tasks published")),
    ("tasks_filled", gettext_lazy("Tasks filled")),
    ("tasks_done", gettext_lazy("Tasks done")),
    ("volunteers_active", gettext_lazy("Active volunteers")),
    ("hours_recorded", gettext_lazy("Hours served (recorded)")),
    ("hours_honour", gettext_lazy("Honour hours")),
    ("points_budgeted", gettext_lazy("Points budgeted")),
    ("points_awarded", gettext_lazy("Points awarded")),
    ("points_conduct", gettext_lazy("Conduct points")),
    ("points_redeemed", gettext_lazy("Points redeemed")),
    ("points_outstanding", gettext_lazy("Points held by people now")),
    ("donations_raised", gettext_lazy("Donations raised (yuan)")),
    ("donations_spent", gettext_lazy("Donations spent (yuan)")),
    ("review_average", gettext_lazy("Average review score")),
]
MONEY_FIGURES = {"donations_raised", "donations_spent"}
# Where each figure's list lives, so a number on the dashboard leads to the rows behind it.
FIGURE_LINKS = {
    "needs_received": "/needs/?community={c}",
    "needs_major": "/needs/?community={c}&track=major",
    "needs_minor": "/needs/?community={c}&track=minor",
    "needs_private": "/needs/?community={c}&track=private",
    "tasks_filled": "/tasks/?community={c}&status=full",
    "volunteers_active": "#months",
    "hours_recorded": "#months",
    "points_budgeted": "/communities/{c}/points/",
    "points_outstanding": "/communities/{c}/points/",
    "needs_resolved": "/needs/?community={c}&status=resolved",
    "tasks_published": "/tasks/?community={c}",
    "tasks_done": "/tasks/?community={c}&status=done",
    "review_average": "/communities/{c}/info/",
    "points_awarded": "/communities/{c}/points/",
    "points_conduct": "/deliberation/communities/{c}/conduct/",
    "points_redeemed": "/communities/{c}/points/",
    "donations_raised": "/communities/{c}/funds/",
    "donations_spent": "/communities/{c}/funds/",
}


MONTH_COLUMNS = [
    ("tasks", gettext_lazy("Tasks published")),
    ("services", gettext_lazy("Services verified")),
    ("hours", gettext_lazy("Hours served (recorded)")),
    ("needs", gettext_lazy("Needs received")),
    ("points_awarded", gettext_lazy("Points awarded")),
    ("points_redeemed", gettext_lazy("Points redeemed")),
    ("donations_raised", gettext_lazy("Donations raised (yuan)")),
    ("donations_spent", gettext_lazy("Donations spent (yuan)")),
]


def _export_value(key: str, value):
    """Spreadsheets get yuan with two decimals (stored as fen), and an empty cell for no value."""
    if value is None:
        return ""
    if key in MONEY_FIGURES:
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    return value


def community_dashboard(request, community_id: int):
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("The dashboard is for staff of this community.")))
    try:
        period = dashboard.Period.from_query(request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    fmt, table = request.GET.get("format", ""), request.GET.get("table", "figures")
    name = f"dashboard-{community.pk}-{table}-{period.start}-{period.end}"
    if fmt in ("csv", "xlsx") and table == "months":
        header = [_("Month"), *(str(label) for _key, label in MONTH_COLUMNS)]
        rows = ([m["month"].strftime("%Y-%m"), *(_export_value(key, m[key]) for key, _label in MONTH_COLUMNS)] for m in dashboard.monthly_series(community, period))
        return export(fmt, name, header, rows, title="months")
    if fmt in ("csv", "xlsx") and table == "categories":
        rows = ([str(c["label"]), c["tasks"]] for c in dashboard.top_categories(community, period, limit=20))
        return export(fmt, name, [_("Category"), _("Tasks published")], rows, title="categories")
    figures, needs = dashboard.community_page_figures(community, period)
    rows = [(str(label), _export_value(key, figures[key])) for key, label in FIGURE_LABELS]
    exported = export(fmt, name, [_("Figure"), _("Value")], ([label, value] for label, value in rows), title=community.name)
    if exported is not None:
        return exported
    series = dashboard.monthly_series(community, period)
    track_labels = [("major", Need.Track.MAJOR.label), ("minor", Need.Track.MINOR.label), ("private", Need.Track.PRIVATE.label), ("", _("Not yet triaged"))]
    context = {
        "community": community,
        "period": period,
        "headline": [
            {"label": _("Services verified"), "value": thousands(sum(m["services"] for m in series)), "link": "#services"},
            {"label": _("Hours served"), "value": thousands(figures["hours_recorded"]), "link": "#hours"},
            {"label": _("Active volunteers"), "value": thousands(figures["volunteers_active"]), "link": "#months"},
            {
                "label": _("Needs resolved / received"),
                "value": f"{thousands(figures['needs_resolved'])} / {thousands(figures['needs_received'])}",
                "link": f"/needs/?community={community.pk}",
            },
            {"label": _("Donations raised"), "value": money(figures["donations_raised"]), "link": f"/communities/{community.pk}/funds/"},
        ],
        "figures": [
            {
                "key": key, "label": label, "link": FIGURE_LINKS.get(key, "").format(c=community.pk),
                "value": money(figures[key]) if key in MONEY_FIGURES else thousands(figures[key]),
            }
            for key, label in FIGURE_LABELS
        ],
        "series": series,
        "services_chart": column_chart(series, [("services", _("Services verified"))]),
        "hours_chart": column_chart(series, [("hours", _("Hours served"))]),
        "points_chart": column_chart(series, [("points_awarded", _("Points awarded")), ("points_redeemed", _("Points redeemed"))]),
        "funds_chart": column_chart(series, [("donations_raised", _("Donations raised")), ("donations_spent", _("Donations spent"))], is_money=True),
        "tracks_chart": hbar_chart(
            [
                {"label": str(label), "value": needs["tracks"].get(key, 0), "link": f"/needs/?community={community.pk}" + (f"&track={key}" if key else "&status=submitted")}
                for key, label in track_labels
            ]
        ),
        "resolution_chart": hbar_chart(
            [{"label": _("%(range)s days") % {"range": b["label"]}, "value": b["value"]} for b in resolution_buckets(needs["durations"])]
        ),
        "categories": dashboard.top_categories(community, period),
    }
    return render(request, "dashboards/community.html", context)


DISTRICT_HEADERS = [
    ("name", gettext_lazy("Community")),
    ("street", gettext_lazy("Street")),
    ("needs_received", gettext_lazy("Needs received")),
    ("needs_resolved", gettext_lazy("Needs resolved")),
    ("tasks_published", gettext_lazy("Tasks published")),
    ("tasks_done", gettext_lazy("Tasks done")),
    ("volunteers_active", gettext_lazy("Active volunteers")),
    ("hours_recorded", gettext_lazy("Hours served (recorded)")),
    ("points_awarded", gettext_lazy("Points awarded")),
    ("points_redeemed", gettext_lazy("Points redeemed")),
    ("donations_raised", gettext_lazy("Donations raised (yuan)")),
    ("donations_spent", gettext_lazy("Donations spent (yuan)")),
]


def district_dashboard(request):
    if not (request.user.is_authenticated and request.user.is_superuser):
        return error_page(request, PermissionDenied(_("The district dashboard is for the district administrator.")))
    try:
        period = dashboard.Period.from_query(request.GET)
    except ValidationFailed as exc:
        return error_page(request, exc)
    sort = request.GET.get("sort", "name")
    rows, totals = dashboard.district_rows(period, sort=sort)
    exported = export(
        request.GET.get("format", ""), f"district-{period.start}-{period.end}", [label for _key, label in DISTRICT_HEADERS],
        ([_export_value(key, row[key]) for key, _label in DISTRICT_HEADERS] for row in rows), title="district",
    )
    if exported is not None:
        return exported
    series = dashboard.monthly_series(None, period)
    context = {
        "period": period,
        "rows": rows,
        "totals": totals,
        "headers": DISTRICT_HEADERS,
        "sort": sort,
        "services_chart": column_chart(series, [("services", _("Services verified"))]),
        "hours_chart": hbar_chart(
            [{"label": row["name"], "value": row["hours_recorded"], "link": f"/communities/{row['community_id']}/dashboard/"} for row in rows],
            label_width=120,
        ),
        "series": series,
        "money_columns": MONEY_FIGURES,
    }
    return render(request, "dashboards/district.html", context)


def community_info(request, community_id: int):
    """信息公开: what a resident sees first, no login. Open tasks, projects and their awards, the
    funds, the needs feedback board and the points rules."""
    community = community_get_for(request.user, community_id)
    context = {
        "community": community,
        "tasks": selectors.task_list(filters={"community": community.pk, "status": "open", "starts_after": timezone.now().isoformat()})[:10],
        "projects": Project.objects.filter(community=community, published_at__isnull=False).select_related("contract__organization")[:10],
        "funds": fund_figures(community=community),
        "service": community_service_totals(community.pk),
        "board": selectors.needs_board(community=community),
        "rule": community_rule(community),
        "rewards": reward_list(filters={"community": community.pk})[:10],
        "open_statuses": (Task.Status.OPEN,),
    }
    return render(request, "dashboards/info.html", context)


@login_required
def my_data_export(request):
    """The profile page's 下载我的数据: the same JSON as ``GET /api/v1/me/export``."""
    response = JsonResponse(mydata.my_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="my-data-{request.user.pk}.json"'
    return response


@login_required
def account_delete(request):
    """Close one's account: a page that says what happens, a confirmation box and the password."""
    error = None
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm that you want to close your account.")
        else:
            try:
                mydata.account_close(actor=request.user, password=request.POST.get("password", ""))
            except ApplicationError as exc:
                error = str(exc.message)
            else:
                logout(request)
                messages.success(request, _("Your account was closed. Thank you for your service."))
                return redirect("home")
    return render(request, "accounts/delete.html", {"error": error}, status=400 if error else 200)


def workbench(request, community_id: int):
    """The staff workbench: what is waiting for this community's staff, oldest first."""
    community = community_get_for(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("The workbench is for staff of this community.")))
    sections = workbench_sections(community)
    others = Community.objects.all() if request.user.is_superuser else Community.objects.filter(pk__in=staff_communities(request.user))
    context = {
        "community": community,
        "sections": sections,
        "total": sum(s.count for s in sections),
        "other_communities": others.exclude(pk=community.pk).order_by("name"),
    }
    return render(request, "dashboards/workbench.html", context)
