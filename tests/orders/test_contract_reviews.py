"""Hiding a contract's review: staff of the project's community may, nobody else (#19.11,
docs/security.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import Project
from tests.conftest import browser, error_of

pytestmark = pytest.mark.django_db


# --- #11 Hiding a contract's review ----------------------------------------------------------------------
@pytest.fixture
def contract_review(community, staff, org_admin):
    from accounts.models import Organization
    from orders.models import Bid, Contract, Review

    organization = Organization.objects.get(members__user=org_admin)
    project = Project.objects.create(
        community=community, title="独居老人关爱项目", budget=100_000, bid_deadline=timezone.now() - timedelta(days=30),
        status=Project.Status.COMPLETED, created_by=staff,
    )
    bid = Bid.objects.create(project=project, organization=organization, submitted_by=org_admin, amount=100_000, proposal="方案", status="won")
    contract = Contract.objects.create(project=project, bid=bid, organization=organization, amount=100_000, status="completed")
    return Review.objects.create(contract=contract, organization=organization, author=staff, stars=1, comment="含有辱骂的评价")


def test_staff_of_the_community_hide_a_contract_review(api, contract_review, staff):
    response = api(staff).post(f"reviews/{contract_review.pk}/hide", {"reason": "含有人身攻击"})
    assert response.status_code == 200, response.content
    assert response.json()["hidden"] is True and response.json()["comment"] == ""
    contract_review.refresh_from_db()
    assert (contract_review.hidden, contract_review.hidden_reason, contract_review.hidden_by) == (True, "含有人身攻击", staff)


def test_nobody_else_hides_a_contract_review(api, contract_review, other_staff, org_admin, volunteer):
    for caller in (other_staff, org_admin, volunteer):
        assert error_of(api(caller).post(f"reviews/{contract_review.pk}/hide", {"reason": "x"})) == (403, "permission_denied")
    assert api().post(f"reviews/{contract_review.pk}/hide", {"reason": "x"}).status_code == 401
    assert api(other_staff).post("reviews/987654/hide", {"reason": "x"}).status_code == 404
    contract_review.refresh_from_db()
    assert not contract_review.hidden


def test_the_page_button_hides_a_contract_review_and_returns_to_the_project(contract_review, staff):
    response = browser(staff).post(f"/claims/reviews/{contract_review.pk}/hide/", {"reason": "含有人身攻击"})
    assert response.status_code == 302 and response["Location"] == f"/projects/{contract_review.contract.project_id}/"
    contract_review.refresh_from_db()
    assert contract_review.hidden


