"""Dashboards: the figures equal those computed independently here on generated data; the exports
open correctly; the pages are for whom they are meant."""

import csv
import io
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.figures import Period, community_figures, district_rows
from funds.models import Donation, Spending
from marketplace.models import Need, Task
from orders.models import Claim
from points import services as points
from tests.conftest import browser
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def generate(community, staff, seed: int):
    """A community's year of activity, random but reproducible, written directly as rows."""
    rng = random.Random(seed)
    now = timezone.now()
    volunteers = [MembershipFactory(community=community, role="volunteer").user for _ in range(4)]
    resident = MembershipFactory(community=community, role="resident").user
    tasks, claims, needs = [], [], []
    for i in range(12):
        start = now - timedelta(days=rng.randint(5, 300))
        status = rng.choice(["open", "full", "done", "cancelled"])
        slots = rng.randint(1, 3)
        task = Task.objects.create(
            community=community, title=f"任务{seed}-{i}", category=rng.choice(["elder_care", "repair", "culture"]), starts_at=start,
            ends_at=start + timedelta(hours=2), location="x", slots=slots, slots_taken=0, points=10, status=status, created_by=staff,
            published_at=start - timedelta(days=3),  # every generated task was published (even those cancelled later)
        )
        Task.objects.filter(pk=task.pk).update(created_at=start - timedelta(days=3))
        tasks.append(Task.objects.get(pk=task.pk))
        for volunteer in rng.sample(volunteers, rng.randint(0, slots)):
            hours = Decimal(rng.choice(["1.00", "1.50", "2.00"]))
            claim = Claim.objects.create(task=task, user=volunteer, status="verified", hours=hours, credited_hours=hours - Decimal("0.50"), honour_hours=Decimal("0.25"), verified_at=start + timedelta(hours=3))
            claims.append(claim)
        Task.objects.filter(pk=task.pk).update(slots_taken=len([c for c in claims if c.task_id == task.pk]))
    for i in range(6):
        need = Need.objects.create(community=community, author=resident, title=f"需求{i}", category="other",
                                   track=rng.choice(["", "major", "minor", "private"]), status="submitted")
        created = now - timedelta(days=rng.randint(10, 200))
        resolved = rng.random() < 0.5
        Need.objects.filter(pk=need.pk).update(
            created_at=created, status="resolved" if resolved else "triaged", resolved_at=created + timedelta(days=rng.randint(1, 9)) if resolved else None
        )
        needs.append(Need.objects.get(pk=need.pk))
    admin = UserFactory(is_superuser=True)
    points.points_budget(actor=admin, community=community, amount=5000)
    for claim in claims:
        points.points_award(actor=None, community=community, user=claim.user, amount=10, idempotency_key=f"gen:{claim.pk}")
    for amount, refunded in [(10_000, 0), (5_000, 2_000)]:
        Donation.objects.create(community=community, amount=amount, refunded_amount=refunded, currency="cny", status="succeeded")
    Spending.objects.create(community=community, amount=3_000, currency="cny", spent_on=timezone.localdate() - timedelta(days=2), purpose="p", payee="q", created_by=staff)
    return [Task.objects.get(pk=t.pk) for t in tasks], claims, needs


def test_community_figures_equal_an_independent_count(community, staff):
    tasks, claims, needs = generate(community, staff, seed=7)
    period = Period(start=timezone.localdate() - timedelta(days=400), end=timezone.localdate())
    figures = community_figures(community, period)
    published = [t for t in tasks if t.published_at is not None]
    assert figures["tasks_published"] == len(published)
    assert figures["tasks_done"] == sum(t.status == "done" for t in tasks)
    assert figures["tasks_filled"] == sum(t.slots_taken >= t.slots for t in tasks)
    assert figures["volunteers_active"] == len({c.user_id for c in claims})
    assert figures["hours_recorded"] == sum((c.hours for c in claims), Decimal("0"))  # recorded, never measured
    assert figures["hours_honour"] == Decimal("0.25") * len(claims)
    assert figures["needs_received"] == len(needs)
    assert figures["needs_resolved"] == sum(n.status == "resolved" for n in needs)
    assert figures["needs_major"] == sum(n.track == "major" for n in needs)
    assert figures["points_budgeted"] == 5000
    assert figures["points_awarded"] == 10 * len(claims)
    assert figures["points_outstanding"] == 10 * len(claims)
    assert figures["donations_raised"] == 13_000 and figures["donations_spent"] == 3_000


def test_the_district_rows_and_sums_match_each_community(community, staff, other_community, other_staff):
    generate(community, staff, seed=1)
    generate(other_community, other_staff, seed=2)
    period = Period(start=timezone.localdate() - timedelta(days=400), end=timezone.localdate())
    rows, totals = district_rows(period, sort="-tasks_published")
    by_id = {r["community_id"]: r for r in rows}
    for c in (community, other_community):
        one = community_figures(c, period)
        for key in ("needs_received", "tasks_published", "tasks_done", "volunteers_active", "hours_recorded", "points_awarded", "donations_raised", "donations_spent"):
            assert by_id[c.pk][key] == one[key], key
    assert totals["tasks_published"] == sum(r["tasks_published"] for r in rows)
    assert [r["tasks_published"] for r in rows] == sorted((r["tasks_published"] for r in rows), reverse=True)


def test_the_district_dashboard_query_count_does_not_grow_with_communities(superuser):
    client = browser(superuser)
    CommunityFactory()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/district/dashboard/").status_code == 200
    for _ in range(6):
        CommunityFactory()
    with CaptureQueriesContext(connection) as many:
        client.get("/district/dashboard/")
    assert len(few) == len(many)


def test_the_dashboard_exports_open_in_csv_and_excel(community, staff):
    generate(community, staff, seed=3)
    client = browser(staff)
    body = b"".join(client.get(f"/communities/{community.pk}/dashboard/", {"format": "csv"}).streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    from dashboards.views import FIGURE_LABELS

    assert len(rows) == len(FIGURE_LABELS) + 1 and all(len(r) == 2 for r in rows)
    response = client.get(f"/communities/{community.pk}/dashboard/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == len(rows) and values[1][1] == int(rows[1][1])


def test_ledger_donations_and_volunteer_record_export(community, staff, volunteer):
    generate(community, staff, seed=4)
    client = browser(staff)
    ledger = b"".join(client.get(f"/communities/{community.pk}/ledger/export/", {"format": "csv"}).streaming_content).decode("utf-8")
    assert ledger.startswith("\ufeff") and len(ledger.splitlines()) > 2
    donations = client.get(f"/communities/{community.pk}/donations/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(donations.streaming_content))).active
    assert sheet.max_row == 3  # header and two donations
    Claim.objects.create(task=Task.objects.filter(community=community).first(), user=volunteer, status="verified", credited_hours=Decimal("1.5"), hours=Decimal("1.5"))
    record = browser(volunteer).get(f"/volunteers/{volunteer.pk}/record/", {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(record.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1][3] == 1.5  # a number cell (shown 1.50), not the text "1.50"


def test_dashboards_are_for_staff_and_the_district_admin(community, resident, other_staff, staff, superuser):
    assert browser(resident).get(f"/communities/{community.pk}/dashboard/").status_code == 403
    assert browser(other_staff).get(f"/communities/{community.pk}/dashboard/").status_code == 403
    assert browser(staff).get(f"/communities/{community.pk}/dashboard/").status_code == 200
    assert browser(staff).get("/district/dashboard/").status_code == 403
    assert browser(superuser).get("/district/dashboard/").status_code == 200
    assert browser(resident).get(f"/communities/{community.pk}/ledger/export/").status_code == 403


def test_the_public_information_page_needs_no_login(community, staff, make_task):
    make_task(title="周末社区大扫除")
    page = browser().get(f"/communities/{community.pk}/info/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "周末社区大扫除" in text and "信息公开" in text


def test_charts_have_a_text_alternative(community, staff):
    generate(community, staff, seed=5)
    html = browser(staff).get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert 'role="img"' in html and "<title" in html and "<table" in html


def test_the_month_and_category_tables_export_too(community, staff):
    generate(community, staff, seed=6)
    client = browser(staff)
    months = b"".join(client.get(f"/communities/{community.pk}/dashboard/", {"format": "csv", "table": "months"}).streaming_content).decode()
    lines = months.lstrip("\ufeff").splitlines()
    assert len(lines) >= 12 and lines[1].count(",") == 8  # month, 4 counts, points awarded and redeemed, yuan raised and spent
    xlsx = client.get(f"/communities/{community.pk}/dashboard/", {"format": "xlsx", "table": "categories"})
    rows = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows(values_only=True))
    assert sum(r[1] for r in rows[1:]) == Task.objects.filter(community=community).count()
