"""The district sees conduct points apart from service points: on the community's dashboard and in
the district's table, and the ledger still audits clean."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboards.figures import Period, community_figures, district_rows
from deliberation import services
from points import services as points
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_conduct_points_are_counted_apart_from_service_points(community, staff, second_staff, resident, superuser):
    points.points_budget(actor=superuser, community=community, amount=1000)
    points.points_award(actor=None, community=community, user=resident, amount=30, idempotency_key="service:1", memo_code="points_service",
                        memo_params={"task": "陪老人就医"})
    rule = services.conduct_rule_create(actor=staff, community=community, title="文明养犬", points=10)
    award = services.conduct_award_propose(actor=staff, rule=rule, user_id=resident.pk, evidence="拴绳")
    services.conduct_award_approve(actor=second_staff, award=award)
    period = Period(start=timezone.localdate() - timedelta(days=30), end=timezone.localdate())
    figures = community_figures(community, period)
    assert (figures["points_awarded"], figures["points_conduct"]) == (40, 10)
    rows, totals = district_rows(period)
    assert next(r for r in rows if r["community_id"] == community.pk)["points_conduct"] == 10 and totals["points_conduct"] == 10
    page = browser(superuser, "en").get("/district/dashboard/").content.decode()
    assert "of which conduct 10" in page  # beside the points awarded, as the table must fit a desk screen
    call_command("points_audit")  # exits 1 (SystemExit) if the ledger does not balance
