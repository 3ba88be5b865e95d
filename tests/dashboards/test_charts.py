"""Dashboards worth reading (issue #17): money in yuan with separators, a few headline figures,
charts drawn on the server with their numbers, the district compared community by community."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.templatetags.numbers import money, thousands, waited_text
from dashboards.charts import column_chart, resolution_buckets
from funds.models import Donation, Spending
from tests.conftest import browser
from tests.dashboards.test_dashboards import generate
from tests.factories import CommunityFactory


def test_money_reads_in_yuan_with_separators():
    assert money(123400) == "¥1,234.00"
    assert money(7000000) == "¥70,000.00"
    assert money(-1250) == "-¥12.50"
    assert money(None) == "" and money("x") == ""
    assert thousands(12345) == "12,345" and thousands(Decimal("1234.50")) == "1,234.50" and thousands(None) == "—"


def test_waiting_time_reads_in_days_hours_or_minutes():
    now = timezone.now()
    assert waited_text(now - timedelta(days=3, hours=5), now) == "等待 3 天"
    assert waited_text(now - timedelta(hours=2), now) == "等待 2 小时"
    assert waited_text(now, now) == "等待 1 分钟"


def test_chart_ticks_are_round_numbers_and_bars_scale_to_them():
    rows = [{"month": timezone.localdate().replace(day=1), "a": 7}, {"month": timezone.localdate().replace(day=1), "a": 3}]
    chart = column_chart(rows, [("a", "A")])
    assert [t["label"] for t in chart["ticks"]] == ["0", "2", "4", "6", "8"]  # steps of 1, 2 or 5 × 10ⁿ
    tall, short = chart["groups"][0]["bars"][0], chart["groups"][1]["bars"][0]
    assert tall["height"] == pytest.approx(short["height"] * 7 / 3, rel=0.01)
    assert [b["value"] for b in resolution_buckets([timedelta(days=2), timedelta(days=5), timedelta(days=40)])] == [1, 1, 0, 0, 1]


def test_axis_ticks_are_round_steps_whole_for_counts_and_yuan_for_money_with_room_for_the_sign():
    month = timezone.localdate().replace(day=1)
    one = column_chart([{"month": month, "a": 1}], [("a", "A")])
    assert [t["label"] for t in one["ticks"]] == ["0", "1", "2", "3", "4"]  # never 0.25 of a service
    hours = column_chart([{"month": month, "a": Decimal("18.5")}], [("a", "A")])
    assert [t["label"] for t in hours["ticks"]] == ["0", "5", "10", "15", "20"]  # not 6.25 / 12.5 / 18.75
    money_chart = column_chart([{"month": month, "a": 1_200_000}], [("a", "A")], is_money=True)
    assert [t["label"] for t in money_chart["ticks"]] == ["¥0", "¥5,000", "¥10,000", "¥15,000", "¥20,000"]
    assert money_chart["left"] >= 7 * len("¥20,000") + 12  # the ¥ is not clipped


@pytest.mark.django_db
def test_the_community_dashboard_shows_headlines_charts_and_yuan(community, staff):
    generate(community, staff, seed=11)
    page = browser(staff).get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert "¥130.00" in page  # 100 + 50 − 20 refunded
    assert "（分）" not in page
    for chart in ('id="services"', 'id="hours"', 'id="tracks"', 'id="resolution"', 'id="points"', 'id="funds"'):
        assert chart in page
    assert page.count('role="img"') == 6
    # Each track leads to the needs behind it.
    assert f'href="/needs/?community={community.pk}&amp;track=major"' in page


@pytest.mark.django_db
def test_the_month_export_has_the_figures_of_the_month_table(community, staff):
    generate(community, staff, seed=12)
    Donation.objects.create(community=community, amount=123_456, currency="cny", status="succeeded")
    client = browser(staff)
    body = b"".join(client.get(f"/communities/{community.pk}/dashboard/", {"format": "csv", "table": "months"}).streaming_content).decode()
    last = body.lstrip("\ufeff").splitlines()[-1].split(",")
    assert last[-2] == "1364.56"  # this month: the generated 130 yuan and 1,234.56
    page = client.get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert "¥1,364.56" in page
    figures = b"".join(client.get(f"/communities/{community.pk}/dashboard/", {"format": "csv"}).streaming_content).decode()
    assert "已筹捐款（元）,1364.56" in figures


@pytest.mark.django_db
def test_the_district_compares_communities_by_hours(superuser, community, staff):
    generate(community, staff, seed=13)
    quiet = CommunityFactory(name="安静社区")
    Spending.objects.create(community=quiet, amount=0, currency="cny", spent_on=timezone.localdate(), purpose="p", payee="q", created_by=staff)
    page = browser(superuser).get("/district/dashboard/", {"sort": "-hours_recorded"}).content.decode()
    assert 'id="district-hours"' in page and "安静社区" in page
    assert page.index(f'href="/communities/{community.pk}/dashboard/">锣旗寺社区') < page.index("安静社区</a></th>")
    assert 'aria-sort="descending"' in page
