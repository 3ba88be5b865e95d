"""The pages that were API-only: the district admin opens a street's budget, and a member of a
verified organisation proposes on its behalf ("as myself / as <organisation>")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationMember
from budgets.models import Budget, Proposal
from tests.conftest import browser
from tests.factories import MembershipFactory, OrganizationFactory, OrganizationMemberFactory

pytestmark = pytest.mark.django_db


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _form(**over) -> dict:
    now = timezone.now()
    return {"title": "郭家沱街道民生实事", "amount_yuan": "200000", "voting_opens": _local(now + timedelta(days=7)),
            "voting_closes": _local(now + timedelta(days=14)), "max_choices": ""} | over


def test_the_district_admin_opens_a_streets_budget_and_residents_of_every_community_of_it_may_propose(superuser, community, other_community):
    street = community.street
    listing = browser(superuser).get("/budgets/").content.decode()
    assert f"/budgets/new/street/{street.pk}/" in listing  # the list offers the streets to the district admin
    offer = browser(superuser, "en").get(f"/budgets/new/{community.pk}/").content.decode()
    assert "Open it for the whole street 郭家沱街道 instead" in offer
    page = browser(superuser, "en").get(f"/budgets/new/street/{street.pk}/").content.decode()
    assert "A budget for the whole street 郭家沱街道" in page
    response = browser(superuser).post(f"/budgets/new/street/{street.pk}/", _form())
    budget = Budget.objects.get()
    assert (budget.street_id, budget.community_id, budget.amount) == (street.pk, None, 20_000_000)
    assert response.status_code == 302 and response["Location"] == f"/budgets/{budget.pk}/"
    neighbour = MembershipFactory(community=other_community, role=Membership.Role.RESIDENT).user
    detail = browser(neighbour, "en").get(f"/budgets/{budget.pk}/").content.decode()
    assert "郭家沱街道" in detail and 'id="propose"' in detail


def test_a_streets_budget_with_bad_dates_shows_the_error_in_the_form_and_writes_nothing(superuser, community):
    now = timezone.now()
    bad = _form(voting_opens=_local(now + timedelta(days=14)), voting_closes=_local(now + timedelta(days=7)))
    response = browser(superuser, "en").post(f"/budgets/new/street/{community.street_id}/", bad)
    page = response.content.decode()
    assert response.status_code == 200 and "Voting must close after it opens." in page
    assert 'value="郭家沱街道民生实事"' in page  # what was typed is kept
    zh = browser(superuser).post(f"/budgets/new/street/{community.street_id}/", _form(amount_yuan="-5")).content.decode()
    assert "金额必须" in zh and 'role="alert"' in zh
    assert Budget.objects.count() == 0


def test_staff_of_a_community_may_not_open_a_streets_budget_nor_are_offered_one(staff, community):
    assert browser(staff).get(f"/budgets/new/street/{community.street_id}/").status_code == 403
    assert browser(staff).post(f"/budgets/new/street/{community.street_id}/", _form()).status_code == 403
    assert 'id="offer-street"' not in browser(staff).get(f"/budgets/new/{community.pk}/").content.decode()
    assert "/budgets/new/street/" not in browser(staff).get("/budgets/").content.decode()
    assert browser(staff).get("/budgets/new/street/999999/").status_code == 404
    assert Budget.objects.count() == 0


def test_a_member_of_a_verified_organisation_proposes_as_the_organisation(org_admin, budget):
    organisation = Organization.objects.get(members__user=org_admin)
    page = browser(org_admin, "en").get(f"/budgets/{budget.pk}/").content.decode()
    assert 'id="propose-as"' in page and "as myself" in page and "以个人身份" in browser(org_admin).get(f"/budgets/{budget.pk}/").content.decode() and f"as {organisation.name}" in page
    response = browser(org_admin).post(f"/budgets/{budget.pk}/proposals/", {
        "title": "长者助餐点", "text": "每天午餐", "cost_yuan": "12000", "organization_id": str(organisation.pk)}, follow=True)
    proposal = Proposal.objects.get()
    assert (proposal.organization_id, proposal.proposer_id, proposal.cost) == (organisation.pk, org_admin.pk, 1_200_000)
    assert f"由{organisation.name}提议" in response.content.decode()  # the page says who proposed it, in Chinese by default
    assert f"Proposed by {organisation.name}" in browser(org_admin, "en").get(f"/budgets/{budget.pk}/").content.decode()


def test_a_resident_without_an_organisation_is_offered_only_to_propose_as_themself(resident, budget):
    assert 'id="propose-as"' not in browser(resident).get(f"/budgets/{budget.pk}/").content.decode()


def test_proposing_as_an_organisation_one_may_not_speak_for_is_refused_and_writes_nothing(resident, org_admin, budget, community):
    organisation = Organization.objects.get(members__user=org_admin)
    body = {"title": "长者助餐点", "text": "每天午餐", "cost_yuan": "12000"}
    # Not a member of it.
    assert browser(resident, "en").post(f"/budgets/{budget.pk}/proposals/", body | {"organization_id": str(organisation.pk)}).status_code == 403
    # A member of an organisation that is not verified yet: refused, and not offered on the page.
    pending = OrganizationFactory(community=community, status=Organization.Status.PENDING)
    member = OrganizationMemberFactory(organization=pending, role=OrganizationMember.Role.ADMIN).user
    assert 'id="propose-as"' not in browser(member).get(f"/budgets/{budget.pk}/").content.decode()
    refused = browser(member, "en").post(f"/budgets/{budget.pk}/proposals/", body | {"organization_id": str(pending.pk)})
    assert refused.status_code == 403 and "verified organisation" in refused.content.decode()
    assert browser(org_admin).post(f"/budgets/{budget.pk}/proposals/", body | {"organization_id": "999999"}).status_code == 404
    # Bad input as the organisation: the reason shown, nothing written.
    bad = browser(org_admin, "en").post(f"/budgets/{budget.pk}/proposals/", body | {"cost_yuan": "-3", "organization_id": str(organisation.pk)},
                                        follow=True)
    assert "positive whole number" in bad.content.decode()
    assert Proposal.objects.count() == 0
