"""Reads for public affairs: policies, service items, the public funds list (donations included,
read from the funds app), and supervision reports with the one rule on who sees an author."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.models import Community
from accounts.selectors import is_community_staff, row_viewer_is_staff, staff_communities, with_viewer_staff
from affairs.filters import FundFilter, PolicyFilter, ReportFilter, ServiceItemFilter
from affairs.models import Fund, Policy, Report, ServiceItem
from core.errors import NotFound
from core.filtering import apply_filters
from funds import selectors as funds_selectors


def policy_list(data=None) -> QuerySet:
    return apply_filters(PolicyFilter, data, Policy.objects.select_related("community").defer("search_grams", "body"))


def policy_get_for(viewer, policy_id: int) -> Policy:
    """Policies are public information."""
    policy = Policy.objects.select_related("community", "service_item").filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(code="policy_not_found")
    return policy


def service_item_list(data=None) -> QuerySet:
    return apply_filters(ServiceItemFilter, data, ServiceItem.objects.select_related("community").defer("search_grams"))


def service_item_get_for(viewer, item_id: int) -> ServiceItem:
    item = ServiceItem.objects.select_related("community").filter(pk=item_id).first()
    if item is None:
        raise NotFound(code="service_item_not_found")
    return item


def online_action_url(item: ServiceItem) -> str:
    """Where a resident applies online for this item, or "" when nowhere (or when the page it
    names is not part of this site yet: ``relief:apply`` arrives with the assistance app)."""
    try:
        if item.online_action == ServiceItem.OnlineAction.NEED:
            return reverse("needs:submit", args=[item.community_id]) if item.community_id else reverse("needs:mine")
        if item.online_action == ServiceItem.OnlineAction.ASSISTANCE:
            return reverse("relief:apply")
    except NoReverseMatch:
        pass
    return ""


# --- Funds --------------------------------------------------------------------------------------------
@dataclass
class FundRow:
    """One line of the public funds list: a recorded fund, or a community's donations."""

    id: int | None
    name: str
    source: str
    amount: int
    spent: int
    year: int | None
    community_id: int | None
    community_name: str = ""
    currency: str = "cny"
    lines: list = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.amount - self.spent

    def get_source_display(self) -> str:
        return dict(Fund.Source.choices)[self.source]


def fund_queryset(data=None) -> QuerySet:
    funds = Fund.objects.select_related("community").annotate(spent=Coalesce(Sum("lines__amount"), 0))
    return apply_filters(FundFilter, data, funds)


def _scope_communities(data) -> QuerySet:
    communities = Community.objects.all()
    if data and data.get("community"):
        communities = communities.filter(pk=data["community"])
    elif data and data.get("street"):
        communities = communities.filter(street_id=data["street"])
    return communities


def public_funds(data=None) -> list[FundRow]:
    """Every fund in the scope (``community`` or ``street``; none: the whole district): recorded
    funds with what each spent, then each community's donations (the funds app's figures) as a
    fund of source "donations". A community's page also lists the district's funds."""
    data = data or {}
    rows = [
        FundRow(id=f.pk, name=f.name, source=f.source, amount=f.amount, spent=f.spent, year=f.year, community_id=f.community_id,
                community_name=f.community.name if f.community else "", currency=f.currency)
        for f in fund_queryset(data)
    ]
    source = data.get("source")
    if source in (None, "", Fund.Source.DONATIONS):
        communities = {c.pk: c for c in _scope_communities(data).select_related(None)}
        totals = funds_selectors.donation_totals_by_community(list(communities))
        for community_id, money in sorted(totals.items()):
            rows.append(FundRow(
                id=None, name=_("Donations to %(community)s") % {"community": communities[community_id].name}, source=Fund.Source.DONATIONS,
                amount=money["raised"], spent=money["spent"], year=None, community_id=community_id, community_name=communities[community_id].name,
            ))
    return rows


def fund_get_for(viewer, fund_id: int) -> Fund:
    fund = Fund.objects.select_related("community").annotate(spent=Coalesce(Sum("lines__amount"), 0)).filter(pk=fund_id).first()
    if fund is None:
        raise NotFound(code="fund_not_found")
    return fund


def fund_lines(fund: Fund) -> QuerySet:
    return fund.lines.select_related("project").order_by("-at", "-id")


def donation_lines(community_id: int):
    return funds_selectors.spending_public_lines(community_id)


# --- Reports ------------------------------------------------------------------------------------------
def may_see_author(viewer, report: Report) -> bool:
    """The one rule: the district admin sees every author; staff of the community see the author
    of a report that is not anonymous; nobody else sees one (its author reads their own)."""
    if not viewer.is_authenticated:
        return False
    if viewer.is_superuser:
        return True
    return not report.anonymous and row_viewer_is_staff(report, viewer)


def report_author_name(viewer, report: Report) -> str | None:
    if may_see_author(viewer, report):
        return report.author.shown_name
    return None


def reports_for_staff(viewer, data=None) -> QuerySet:
    reports = with_viewer_staff(Report.objects.select_related("community", "author"), viewer)
    if not viewer.is_superuser:
        reports = reports.filter(community_id__in=staff_communities(viewer))
    return apply_filters(ReportFilter, data, reports)


def report_get_for(viewer, report_id: int) -> Report:
    """A report, for staff of its community and the district admin; 404 for anyone else."""
    report = Report.objects.select_related("community", "author").filter(pk=report_id).first()
    if report is None or not is_community_staff(viewer, report.community_id):
        raise NotFound(code="report_not_found")
    return report


def report_get_by_tracking_no(viewer, tracking_no: str) -> Report:
    """A report by its tracking number, for its author (and the district admin); 404 otherwise,
    so a guessed number tells nothing."""
    report = Report.objects.select_related("community").filter(tracking_no=(tracking_no or "").strip().upper()[:20]).first()
    if report is None or not viewer.is_authenticated or not (report.author_id == viewer.pk or viewer.is_superuser):
        raise NotFound(code="report_not_found")
    return report


def public_reports(data=None) -> QuerySet:
    reports = Report.objects.select_related("community").filter(public=True, status__in=[Report.Status.RESOLVED, Report.Status.UNFOUNDED])
    return apply_filters(ReportFilter, data, reports).order_by("-replied_at", "-id")


def policies_for_service_item(item: ServiceItem) -> QuerySet:
    return Policy.objects.filter(Q(service_item=item)).defer("search_grams")
