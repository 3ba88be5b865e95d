"""A rush for a few slots (#35's claim storm: 200 volunteers for 10 slots): each latecomer is told
at once, in one read of the task, and nothing is written for them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import error_of
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = ("SELECT", "INSERT", "UPDATE", "DELETE")


def _data_statements(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(DATA)]


def test_a_latecomer_to_a_full_task_is_refused_in_one_read_of_the_task_and_nothing_is_written(api, make_task, volunteer):
    from orders.models import Claim

    task = make_task(slots=1)
    latecomer = MembershipFactory(community=task.community, role="volunteer").user
    assert api(volunteer).post(f"tasks/{task.pk}/claims").status_code == 201
    me = api(latecomer)
    me.get("claims")  # the token's first use writes its "last used": not part of a refusal
    claims_before = Claim.objects.count()
    with CaptureQueriesContext(connection) as captured:
        answer = me.post(f"tasks/{task.pk}/claims")
    assert error_of(answer) == (409, "task_full")
    assert "名额已满" in answer.json()["detail"]
    statements = _data_statements(captured)
    # The token with its person, the task the answer is about, then the task again with whether the
    # slot is theirs and whether they volunteer there: three reads, no write.
    assert len(statements) == 3, "\n".join(statements)
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert Claim.objects.count() == claims_before


def test_on_a_full_task_the_holder_hears_already_claimed_and_a_non_volunteer_must_join_first(api, make_task, volunteer):
    task = make_task(slots=1)
    assert api(volunteer).post(f"tasks/{task.pk}/claims").status_code == 201
    assert error_of(api(volunteer).post(f"tasks/{task.pk}/claims")) == (409, "already_claimed")
    stranger = UserFactory()
    refused = api(stranger, language="en").post(f"tasks/{task.pk}/claims")
    assert error_of(refused) == (403, "not_a_volunteer")
    assert "volunteer" in refused.json()["detail"]
