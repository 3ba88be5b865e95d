"""Reads for donations: who may see a donation (its donor, the community's staff, or the browser
holding the payment's client secret)."""

import secrets

from django.db.models import Sum

from accounts.selectors import is_community_staff
from core.errors import NotFound
from funds.models import Donation, Spending


def donation_visible_to(donation, viewer, *, client_secret: str = "") -> bool:
    """A donation is a personal receipt: the donor, the community's staff (and the district
    admin), or whoever holds the payment's client secret (an anonymous donor's browser)."""
    if viewer.is_authenticated and (donation.donor_id == viewer.pk or is_community_staff(viewer, donation.community_id)):
        return True
    return bool(client_secret and donation.client_secret) and secrets.compare_digest(client_secret, donation.client_secret)


def donation_get_for(viewer, donation_id: int, *, client_secret: str = "") -> Donation:
    """The donation, if the viewer may know it exists; else 404, for reading and for acting on it
    alike, so a refusal never tells a stranger that a donation number is taken."""
    donation = Donation.objects.select_related("community", "project").filter(pk=donation_id).first()
    if donation is None or not donation_visible_to(donation, viewer, client_secret=client_secret):
        raise NotFound(code="donation_not_found")
    return donation


def spending_visible_to(spending, viewer) -> bool:
    """A spending record is public information (the community's funds page), except one charged
    to a project still in draft, which only staff of the community see."""
    if spending.project is not None and spending.project.status == "draft":
        return is_community_staff(viewer, spending.community_id)
    return True


def donation_totals_by_community(community_ids) -> dict[int, dict]:
    """Per community: the money its fund received (donations net of refunds) and spent, in two
    grouped queries, for the public funds list of ``affairs`` (one page shows all of a community's
    money). Communities with neither are left out."""
    received = (
        Donation.objects.filter(community_id__in=community_ids, status__in=[Donation.Status.SUCCEEDED, Donation.Status.REFUNDED])
        .values("community_id")
        .annotate(gross=Sum("amount"), refunded=Sum("refunded_amount"))
    )
    spent = Spending.objects.filter(community_id__in=community_ids).values("community_id").annotate(total=Sum("amount"))
    totals: dict[int, dict] = {}
    for row in received:
        totals.setdefault(row["community_id"], {"raised": 0, "spent": 0})["raised"] = (row["gross"] or 0) - (row["refunded"] or 0)
    for row in spent:
        totals.setdefault(row["community_id"], {"raised": 0, "spent": 0})["spent"] = row["total"] or 0
    return totals


def spending_public_lines(community_id: int):
    """A community fund's spending rows that anyone may see (none charged to a draft project)."""
    return (
        Spending.objects.filter(community_id=community_id)
        .exclude(project__status="draft")
        .select_related("project")
        .order_by("-spent_on", "-id")
    )
