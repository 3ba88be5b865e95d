"""The staff workbench: everything waiting for a community's staff, oldest first.

Each section counts the waiting items, shows the oldest few with how long they have waited, and
links to the page where the work is done. Reads only; the work itself happens on those pages.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.models import Community, Organization
from marketplace.models import Need
from orders.models import Claim
from points.models import Redemption
from relief.selectors import staff_inbox

SHOWN = 5  # the oldest few of each kind; the count and the link lead to the rest


@dataclass
class WaitingItem:
    label: str
    detail: str
    link: str
    since: datetime


@dataclass
class Section:
    key: str
    title: str
    action: str  # what staff do there ("Verify", "Triage", ...)
    link: str  # the list where all of them are done
    count: int
    items: list[WaitingItem] = field(default_factory=list)


def _claims(community: Community) -> Section:
    qs = (
        Claim.objects.filter(task__community=community, status=Claim.Status.SUBMITTED)
        # Waiting since the volunteer submitted (the history row), or else since they claimed.
        .annotate(since=Coalesce(Max("history__created_at", filter=Q(history__to_status=Claim.Status.SUBMITTED)), "created_at"))
        .select_related("task", "user")
        .order_by("since", "id")
    )
    items = [
        WaitingItem(
            label=f"{c.user.shown_name} · {c.task.title}",
            detail=str(_("%(hours)s h claimed") % {"hours": c.hours_to_record}),
            link=reverse("tasks:detail", args=[c.task_id]),
            since=c.since,
        )
        for c in qs[:SHOWN]
    ]
    return Section("claims", _("Claims to verify"), pgettext("verify claims", "Verify"), f"{reverse('claims:queue')}?community={community.pk}", qs.count(), items)


def _needs(community: Community) -> Section:
    qs = Need.objects.filter(community=community, status=Need.Status.SUBMITTED).order_by("created_at", "id")
    items = [
        WaitingItem(label=n.title, detail=str(n.get_urgency_display()), link=reverse("needs:detail", args=[n.pk]), since=n.created_at)
        for n in qs[:SHOWN]
    ]
    link = f"{reverse('needs:mine')}?community={community.pk}&status=submitted"
    return Section("needs", _("Needs to triage"), _("Triage"), link, qs.count(), items)


def _redemptions(community: Community) -> Section:
    qs = Redemption.objects.filter(community=community, status=Redemption.Status.RESERVED).select_related("reward", "user").order_by("created_at", "id")
    counter = reverse("points:counter", args=[community.pk])
    items = [
        WaitingItem(
            label=f"{r.user.shown_name} · {r.reward.name} × {r.quantity}",
            detail=str(_("pick up before %(date)s") % {"date": timezone.localtime(r.expires_at).strftime("%Y-%m-%d")}),
            link=counter,
            since=r.created_at,
        )
        for r in qs[:SHOWN]
    ]
    return Section("redemptions", _("Rewards to hand over"), _("Hand over"), counter, qs.count(), items)


def _organizations(community: Community) -> Section:
    # Staff of the home community verify it; one with no home community any staff may verify.
    qs = Organization.objects.filter(Q(community=community) | Q(community__isnull=True), status=Organization.Status.PENDING).order_by("created_at", "id")
    items = [
        WaitingItem(label=o.name, detail=str(o.get_kind_display()), link=reverse("organizations:detail", args=[o.pk]), since=o.created_at)
        for o in qs[:SHOWN]
    ]
    link = f"{reverse('organizations:list')}?status=pending"
    return Section("organizations", _("Organisations to verify"), _("Verify"), link, qs.count(), items)


def _assistance(community: Community) -> Section:
    # New applications and verification reports waiting for a decision (relief, #30).
    qs = staff_inbox(community.pk)
    items = [
        WaitingItem(
            label=f"{a.applicant.shown_name} · {a.get_kind_display()}", detail=str(a.get_status_display()),
            link=reverse("relief:detail", args=[a.pk]), since=a.moved_at,
        )
        for a in qs[:SHOWN]
    ]
    return Section("assistance", _("Assistance applications to handle"), _("Handle"), reverse("relief:inbox", args=[community.pk]), qs.count(), items)


def workbench_sections(community: Community) -> list[Section]:
    return [_claims(community), _needs(community), _redemptions(community), _organizations(community), _assistance(community)]
