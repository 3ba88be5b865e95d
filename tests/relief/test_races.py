"""Two staff deciding at once, and the applicant withdrawing at the same moment: one wins, the
others are told ``invalid_transition``, and the history has one move (real threads, real database)."""

import pytest

from core.errors import ApplicationError
from relief import services
from relief.models import Application
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_decisions_and_a_withdrawal_leave_exactly_one_winner(lei, staff, community):
    application = services.application_submit(actor=lei, community=community, kind="temporary", reason="火灾后临时安置")

    def act(i):
        fresh = Application.objects.get(pk=application.pk)  # each request fetches its own copy
        if i == 0:
            return services.application_withdraw(actor=lei, application=fresh).status
        return services.application_decide(actor=staff, application=fresh, approve=i % 2 == 1, reason=f"第{i}位工作人员的决定").status

    results = run_in_threads(5, act)
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 4, results
    assert {e.code for e in losers} == {"invalid_transition"}
    final = Application.objects.get(pk=application.pk)
    assert final.status == winners[0]
    assert list(final.history.values_list("to_status", flat=True)) == ["submitted", winners[0]]
