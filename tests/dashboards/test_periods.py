"""A dashboard's period is bounded: a period it will not compute is a 400 before any figure is
computed; five years still work (#19.16, docs/security.md)."""


import pytest
from django.utils import timezone

from tests.conftest import browser

pytestmark = pytest.mark.django_db


# --- #16 A dashboard's period is bounded ----------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [{"start": "1900-01-01"}, {"start": "2001-01-01", "end": "2012-12-31"}, {"end": "9999-12-31"}, {"start": "0001-01-01", "end": "0001-01-02"},
     {"start": "1900-01-01", "format": "csv", "table": "months"}],
)
def test_a_dashboard_refuses_a_period_it_will_not_compute(community, staff, superuser, params, django_assert_max_num_queries):
    client = browser(staff)
    with django_assert_max_num_queries(6):  # refused before any figure is computed
        page = client.get(f"/communities/{community.pk}/dashboard/", params)
    assert page.status_code == 400
    text = page.content.decode()
    assert "仪表盘最多" in text or "请选择" in text
    assert browser(superuser).get("/district/dashboard/", params).status_code == 400


def test_a_five_year_dashboard_still_works(community, staff, superuser):
    today = timezone.localdate()
    start = today.replace(year=today.year - 4, month=1, day=1) if today.month == 12 else today.replace(year=today.year - 4, day=1)
    params = {"start": start.isoformat(), "end": today.isoformat()}
    assert browser(staff).get(f"/communities/{community.pk}/dashboard/", params).status_code == 200
    assert browser(superuser).get("/district/dashboard/", params).status_code == 200
