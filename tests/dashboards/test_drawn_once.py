"""The dashboards' charts and tables are drawn once per content and kept ({% drawn_once %}, issue #35):
a figure that changes is drawn again at once, in the reader's language; only plain values are keyed."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from core.templatetags.numbers import thousands
from dashboards.figures import Period, community_figures
from marketplace.models import Task
from orders.models import Claim
from tests.conftest import browser
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def serve(community, staff, hours: str) -> None:
    """A service verified an hour ago, with its recorded hours (the rollups follow the write)."""
    volunteer = MembershipFactory(community=community, role="volunteer").user
    start = timezone.now() - timedelta(hours=3)
    task = Task.objects.create(
        community=community, title="陪老人散步", category="elder_care", starts_at=start, ends_at=start + timedelta(hours=2), location="x",
        slots=1, slots_taken=1, points=10, status="done", created_by=staff, published_at=start - timedelta(days=1),
    )
    Claim.objects.create(task=task, user=volunteer, status="verified", hours=Decimal(hours), credited_hours=Decimal(hours), verified_at=start + timedelta(hours=2, minutes=30))


def hours_in(html: str, chart_id: str) -> list[str]:
    """The numbers of a chart's table (what a screen reader and a printer get)."""
    chart = html[html.index(f'id="{chart_id}"'):]
    chart = chart[: chart.index("</figure>")]
    return re.findall(r"<td>([^<]*)</td>", chart)


def test_a_changed_figure_is_drawn_again_in_every_chart_table_and_row(community, staff, superuser):
    period = Period(start=timezone.localdate() - timedelta(days=30), end=timezone.localdate())
    serve(community, staff, "1.50")
    page = browser(staff).get(f"/communities/{community.pk}/dashboard/").content.decode()
    before = community_figures(community, period)["hours_recorded"]
    assert f">{thousands(before)}<" in page and "1.5" in hours_in(page, "hours")
    district = browser(superuser).get("/district/dashboard/").content.decode()
    assert re.search(rf"{community.name}</a></th>.*?<td>{re.escape(thousands(before))}</td>", district, re.S)

    serve(community, staff, "7.25")
    after = community_figures(community, period)["hours_recorded"]
    assert after == before + Decimal("7.25")
    page = browser(staff).get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert f">{thousands(after)}<" in page, "the figures table kept the hours it was first drawn with"
    assert "8.75" in hours_in(page, "hours"), "the hours chart kept the month it was first drawn with"
    district = browser(superuser).get("/district/dashboard/").content.decode()
    assert re.search(rf"{community.name}</a></th>.*?<td>{re.escape(thousands(after))}</td>", district, re.S), "the district row was not drawn again"

    english = browser(staff, language="en").get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert "Hours served per month" in english and "The numbers" in english and "每月服务时长" not in english


def test_only_plain_values_are_keyed(community):
    tag = Template('{% load fragments %}{% drawn_once "partials/hbar_chart.html" chart=thing %}')
    with pytest.raises(TypeError, match="not a plain value"):
        tag.render(Context({"thing": community}))
