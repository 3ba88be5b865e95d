"""Pages for people and organisations as resources: the talent pool (find by field, invite to a
task, list oneself), community groups (list, page, staff's 备案) and organisations' annual reports
(file, review)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import annual_reports as reports
from accounts.models import Community, Membership, Organization, OrganizationMember
from accounts.selectors import community_get_for, is_organization_admin, organization_get_for, user_get_for
from core.errors import ApplicationError
from core.pages import error_page, perform
from marketplace.models import Category, Task
from marketplace.selectors import task_get_for
from resources import selectors, services
from resources.models import Talent
from resources.views import _int


def _invitable_tasks(user):
    if not user.is_authenticated:
        return Task.objects.none()
    communities = Membership.objects.filter(user=user, role=Membership.Role.STAFF).values("community_id")
    org_communities = OrganizationMember.objects.filter(user=user, role=OrganizationMember.Role.ADMIN,
                                                        organization__status=Organization.Status.VERIFIED).values("organization__community_id")
    tasks = Task.objects.filter(status__in=[Task.Status.OPEN, Task.Status.FULL], starts_at__gte=timezone.now())
    if not user.is_superuser:
        tasks = tasks.filter(community_id__in=communities) | tasks.filter(community_id__in=org_communities)
    return tasks.order_by("starts_at")[:50]


def talents(request):
    """Find talents by field (绘本, 手作, 英语伴读 ...) and community; staff and organisations invite them."""
    data = {}
    community_id = _int(request.GET.get("community"))
    field = (request.GET.get("field") or "").strip()[:20]
    if community_id:
        data["community"] = community_id
    if field:
        data["field"] = field
    found = selectors.talent_list(data)[:100]
    fields = sorted({f for t in Talent.objects.values_list("fields", flat=True)[:2000] for f in t})
    return render(request, "resources/talents.html", {
        "talents": found, "field": field, "fields": fields, "community_id": community_id,
        "communities": Community.objects.filter(talents__isnull=False).distinct(), "tasks": _invitable_tasks(request.user),
        "nav_item": "resources",
    })


@login_required
def talent_me(request):
    mine = Talent.objects.filter(user=request.user).first()
    communities = Community.objects.filter(memberships__user=request.user).distinct()
    error, values = None, {}
    if request.method == "POST":
        if request.POST.get("unlist"):
            services.talent_unlist(actor=request.user)
            messages.success(request, _("You are no longer listed."))
            return redirect("resources:talent_me")
        values = {k: request.POST.get(k, "") for k in ("fields", "bio", "community")}
        try:
            community = community_get_for(request.user, _int(values["community"]) or 0)
            fields = [f for f in values["fields"].replace("，", ",").replace("、", ",").split(",") if f.strip()]
            services.talent_list_me(actor=request.user, fields=fields, bio=values["bio"], community=community)
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("You are listed as a talent."))
            return redirect("resources:talent_me")
    return render(request, "resources/talent_me.html", {
        "talent": mine, "communities": communities, "error": error, "values": values, "nav_item": "resources",
    }, status=error.status if error else 200)


@login_required
@require_POST
def talent_invite(request, user_id: int):
    talent = selectors.talent_get_for(request.user, user_id)
    try:
        task = task_get_for(request.user, _int(request.POST.get("task")) or 0)
    except ApplicationError as exc:
        return error_page(request, exc)
    return perform(request, lambda: services.talent_invite(actor=request.user, talent=talent, task=task, note=request.POST.get("note", "")),
                   success=_("Invitation sent."), then=redirect(f"{reverse('resources:talents')}?{urlencode({'field': request.POST.get('field', '')})}"))


def groups(request):
    community_id = _int(request.GET.get("community"))
    return render(request, "resources/groups.html", {
        "groups": selectors.community_groups(community_id), "community_id": community_id,
        "communities": Community.objects.filter(organizations__kind=Organization.Kind.COMMUNITY_GROUP).distinct(), "nav_item": "resources",
    })


def group(request, organization_id: int):
    """A community group's page: leader, members, filing, its standing rooms."""
    org = organization_get_for(request.user, organization_id)
    if org.kind != Organization.Kind.COMMUNITY_GROUP:
        return redirect("organizations:detail", org.pk)
    return render(request, "resources/group.html", group_context(request, org))


def group_context(request, org: Organization, **extra) -> dict:
    """The group's page: also its activities (approved ones for anyone; all for members and staff)
    and, for a member of a filed group, the form to propose one."""
    members = org.members.select_related("user").order_by("role", "id")
    is_member = request.user.is_authenticated and any(m.user_id == request.user.pk for m in members)
    may_file = reports.may_review(request.user, org)
    activities = selectors.activities_for(request.user, {"organization": org.pk})
    if not (is_member or may_file):
        activities = org.group_activities.filter(status="approved").select_related("task")
    context = {
        "group": org, "filing": selectors.group_filing_of(org), "members": members, "is_member": is_member,
        "handovers": org.venue_handovers.filter(ended_at__isnull=True).select_related("venue"), "activities": activities[:50],
        "may_file": may_file, "categories": Category.choices, "today": timezone.localdate(), "values": {}, "nav_item": "resources",
    }
    context.update(extra)
    return context


@login_required
@require_POST
def group_file(request, organization_id: int):
    org = organization_get_for(request.user, organization_id)
    try:
        leader = user_get_for(request.user, _int(request.POST.get("leader")) or 0)
    except ApplicationError as exc:
        return error_page(request, exc)
    return perform(request, lambda: services.group_file(actor=request.user, organization=org, leader=leader, note=request.POST.get("note", "")),
                   success=_("Filing recorded; the group is verified."), then=redirect("resources:group", org.pk))


@login_required
def annual_reports(request, organization_id: int):
    """An organisation's annual reports: its admins file, staff review; flagged when one is overdue."""
    org = organization_get_for(request.user, organization_id)
    is_admin = request.user.is_superuser or is_organization_admin(request.user, org.pk)
    error, values = None, {}
    if request.method == "POST" and is_admin:
        values = {k: request.POST.get(k, "") for k in ("year", "summary", "income", "spending")}
        try:
            reports.annual_report_file(actor=request.user, organization=org, year=_int(values["year"]) or 0, summary=values["summary"],
                                       income=_yuan(values["income"]), spending=_yuan(values["spending"]))
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("Annual report filed."))
            return redirect("resources:annual_reports", org.pk)
    return render(request, "resources/annual_reports.html", {
        "org": org, "reports": reports.annual_reports_for(request.user, org), "is_admin": is_admin, "may_review": reports.may_review(request.user, org),
        "missing": reports.annual_report_missing(org), "last_year": timezone.localdate().year - 1, "error": error, "values": values,
        "nav_item": "resources",
    }, status=error.status if error else 200)


def _yuan(raw: str) -> int:
    try:
        return int(round(float(raw) * 100))
    except (TypeError, ValueError, OverflowError):
        return -1


@login_required
@require_POST
def annual_review(request, report_id: int):
    report = reports.annual_report_get_for(request.user, report_id)
    passed = request.POST.get("passed") == "1"
    return perform(request, lambda: reports.annual_report_review(actor=request.user, report=report, passed=passed, note=request.POST.get("note", "")),
                   success=_("Review recorded."), then=redirect("resources:annual_reports", report.organization_id))
