"""A budget of 锣旗寺社区 (¥50,000), its proposals, and a helper that moves it to the voting phase."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from budgets import services
from budgets.models import Budget
from tests.factories import MembershipFactory

YUAN = 100


@pytest.fixture
def budget(staff, community):
    now = timezone.now()
    return services.budget_create(
        actor=staff, community=community, title="2026 年民生实事项目", amount=50_000 * YUAN,
        voting_opens=now + timedelta(days=7), voting_closes=now + timedelta(days=14),
    )


@pytest.fixture
def propose(budget, resident):
    """propose(title, cost_yuan, feasible=True): a reviewed proposal of the budget."""

    def _propose(title, cost_yuan, feasible=True, target=None):
        target = target or budget
        proposal = services.proposal_create(actor=resident, budget=target, title=title, text=f"{title}：居民提议", cost=cost_yuan * YUAN)
        return services.proposal_review(actor=target.created_by, proposal=proposal, feasible=feasible, reason="" if feasible else "不在社区范围")

    return _propose


def open_voting(budget: Budget) -> Budget:
    """Voting opened an hour ago (as if the week had passed)."""
    Budget.objects.filter(pk=budget.pk).update(voting_opens=timezone.now() - timedelta(hours=1))
    budget.refresh_from_db()
    return budget


def end_voting(budget: Budget) -> Budget:
    now = timezone.now()
    Budget.objects.filter(pk=budget.pk).update(voting_opens=now - timedelta(days=2), voting_closes=now - timedelta(minutes=1))
    budget.refresh_from_db()
    return budget


@pytest.fixture
def residents(community):
    def _make(n):
        return [MembershipFactory(community=community, role=Membership.Role.RESIDENT).user for _ in range(n)]

    return _make
