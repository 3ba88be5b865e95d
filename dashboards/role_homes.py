"""The home page of the two roles that are not a community member (#28): the district admin
(the superuser, 区民政局) and an organisation's admin. Each shows what that role does next, not
the volunteer's "0 积分" and "加入社区，开始参与"."""

from django.utils import timezone

from accounts.models import Organization, OrganizationMember
from marketplace.models import Need, Project
from orders.models import Bid, Claim, Contract, Milestone


def district_home_context(user) -> dict:
    """What waits for the district: organisations to verify, claims no community verified yet,
    needs nobody triaged, projects whose bids are closed and await an award."""
    now = timezone.now()
    return {
        "orgs_to_verify": Organization.objects.filter(status=Organization.Status.PENDING).count(),
        "claims_to_verify": Claim.objects.filter(status=Claim.Status.SUBMITTED).count(),
        "needs_to_triage": Need.objects.filter(status=Need.Status.SUBMITTED).count(),
        "projects_to_award": Project.objects.filter(status__in=[Project.Status.OPEN, Project.Status.EVALUATING], bid_deadline__lte=now).count(),
    }


def org_admin_organizations(user) -> list[Organization]:
    return list(Organization.objects.filter(members__user=user, members__role=OrganizationMember.Role.ADMIN).order_by("name", "id"))


def org_home_context(user, organizations: list[Organization]) -> dict:
    """What an organisation does next: get verified, bid for open projects, deliver milestones."""
    now = timezone.now()
    verified = [o for o in organizations if o.status == Organization.Status.VERIFIED]
    bid_on = Bid.objects.filter(organization__in=verified).exclude(status=Bid.Status.WITHDRAWN).values("project")
    return {
        "organizations": organizations,
        "open_projects": list(
            Project.objects.filter(status=Project.Status.OPEN, bid_deadline__gt=now).exclude(pk__in=bid_on)
            .select_related("community").order_by("bid_deadline", "id")[:5]
        ) if verified else [],
        "my_bids": list(
            Bid.objects.filter(organization__in=organizations, status=Bid.Status.SUBMITTED).select_related("project", "organization").order_by("project__bid_deadline", "id")[:5]
        ),
        "milestones_due": list(
            Milestone.objects.filter(
                contract__organization__in=organizations, contract__status=Contract.Status.DELIVERING,
                status__in=[Milestone.Status.PENDING, Milestone.Status.RETURNED],
            ).select_related("contract__project").order_by("due_date", "id")[:5]
        ),
    }
