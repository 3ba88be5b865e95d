"""Spending lines recorded at once against one fund, with real threads on a real database (SQLite
in the embedded run, PostgreSQL in the second CI pass): the fund never goes below zero."""

import pytest

from accounts.models import Membership
from affairs import services
from affairs.models import SpendingLine
from core.errors import Conflict
from tests.concurrency import run_in_threads
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_twelve_concurrent_spending_lines_never_take_a_fund_below_zero():
    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    fund = services.fund_create(actor=staff, name="群团公益基金", source="charity", amount=50_000, year=2026, community=community)

    # Twelve lines of 100 yuan against 500 yuan: exactly five may be written.
    results = run_in_threads(12, lambda i: services.spending_line_record(
        actor=staff, fund=fund, amount=10_000, what=f"慰问困难家庭 {i}", at="2026-05-01",
    ))

    written = [r for r in results if isinstance(r, SpendingLine)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(written) == 5 and len(refused) == 7, results
    assert all(r.code == "insufficient_funds" for r in refused)
    assert sum(SpendingLine.objects.filter(fund=fund).values_list("amount", flat=True)) == 50_000
