"""Hours: one number everywhere (#28, api-contract third round). One verified service whose
recorded hours (1.50 submitted, corrected to 1.75) differ from its measured hours (0.10, six
minutes between check-in and check-out) goes through the system; every page, export and API that
shows hours shows 1.75 (plus the community's other service), never 0.10 or a sum of measured hours.
Each place that shows a person's or a community's hours is compared with the sum of recorded hours."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from marketplace.services import task_checkin_code
from orders import services
from orders.models import Claim
from orders.services.claims.corrections import correction_decide, correction_request
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def _serve(task, volunteer, staff, *, minutes: int, hours: str) -> Claim:
    with time_machine.travel(task.starts_at - timedelta(days=1), tick=False):
        claim = services.claim_create(actor=volunteer, task=task)
    code = lambda: task_checkin_code(actor=staff, task=task)[0]  # noqa: E731
    with time_machine.travel(task.starts_at - timedelta(minutes=5), tick=False):
        services.claim_check_in(actor=volunteer, claim=claim, code=code())
    with time_machine.travel(task.starts_at + timedelta(minutes=minutes), tick=False):
        services.claim_check_out(actor=volunteer, claim=claim, code=code())
        services.claim_submit(actor=volunteer, claim=claim, hours=hours)
        services.claim_verify(actor=staff, claim=claim)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def served(funded, make_task, staff, volunteer):
    """Two services a few days ago: 0.10 h measured / 1.50 h submitted, then corrected to 1.75;
    and one of 2.00 h measured / 1.00 h recorded by another volunteer."""
    from tests.factories import MembershipFactory

    other = MembershipFactory(community=funded, role="volunteer").user
    with time_machine.travel(timezone.now() - timedelta(days=4), tick=False):
        first_task = make_task(title="陪伴独居老人")
        second_task = make_task(title="楼道清扫", starts_at=first_task.starts_at + timedelta(hours=3))
    first = _serve(first_task, volunteer, staff, minutes=6, hours="1.50")
    second = _serve(second_task, other, staff, minutes=120, hours="1.00")
    correction = correction_request(actor=volunteer, claim=first, hours="1.75", reason="还帮忙买了菜")
    correction_decide(actor=staff, correction=correction, approve=True, reply="好")
    first.refresh_from_db()
    assert (first.credited_hours, first.submitted_hours, first.hours) == (Decimal("0.10"), Decimal("1.50"), Decimal("1.75"))
    assert (second.credited_hours, second.hours) == (Decimal("2.00"), Decimal("1.00"))
    return first, second


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response
    return [[c.value for c in r] for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows()]


def _figure(rows, label: str):
    return next(r[1] for r in rows if r[0] == label)


def test_every_place_that_shows_hours_shows_the_recorded_hours(served, community, staff, volunteer, superuser, api):
    first, _second = served
    recorded_of_person = sum((c.hours for c in Claim.objects.filter(user=volunteer, status="verified")), Decimal("0"))
    recorded_of_community = sum((c.hours for c in Claim.objects.filter(task__community=community, status="verified")), Decimal("0"))
    assert (recorded_of_person, recorded_of_community) == (Decimal("1.75"), Decimal("2.75"))  # measured: 0.10 and 2.10
    month = timezone.localtime(first.verified_at).strftime("%Y-%m")
    staff_client, admin_client = browser(staff), browser(superuser)

    # The community dashboard: its headline, its figures (page, CSV, XLSX) and its months (CSV, XLSX).
    page = staff_client.get(f"/communities/{community.pk}/dashboard/").content.decode()
    assert re.search(r'<p class="figure">\s*2\.75\s*</p>', page) or ">2.75<" in page, "the headline shows the recorded hours"
    assert "2.10" not in page and "0.10" not in page
    figures = _csv(staff_client.get(f"/communities/{community.pk}/dashboard/", {"format": "csv"}))
    assert Decimal(_figure(figures, "服务时长（记录）")) == recorded_of_community
    assert Decimal(str(_figure(_xlsx(staff_client.get(f"/communities/{community.pk}/dashboard/", {"format": "xlsx"})), "服务时长（记录）"))) == recorded_of_community
    months = _csv(staff_client.get(f"/communities/{community.pk}/dashboard/", {"format": "csv", "table": "months"}))
    hours_column = months[0].index("服务时长（记录）")
    assert Decimal(next(r for r in months if r[0] == month)[hours_column]) == recorded_of_community
    assert sum(Decimal(r[hours_column]) for r in months[1:]) == recorded_of_community
    months_xlsx = _xlsx(staff_client.get(f"/communities/{community.pk}/dashboard/", {"format": "xlsx", "table": "months"}))
    assert Decimal(str(next(r for r in months_xlsx if r[0] == month)[hours_column])) == recorded_of_community

    # The district dashboard (page and exports).
    page = admin_client.get("/district/dashboard/").content.decode()
    assert ">2.75<" in page and "2.10" not in page
    for rows in (_csv(admin_client.get("/district/dashboard/", {"format": "csv"})), _xlsx(admin_client.get("/district/dashboard/", {"format": "xlsx"}))):
        column = rows[0].index("服务时长（记录）")
        assert Decimal(str(next(r for r in rows if r[0] == community.name)[column])) == recorded_of_community

    # The public information page (no login).
    page = browser().get(f"/communities/{community.pk}/info/").content.decode()
    assert 'data-hours="2.75"' in page

    # The person: their home, record page, record export, GET /me, GET /me/export, the certificate.
    volunteer_client = browser(volunteer)
    home = volunteer_client.get("/").content.decode()
    assert "1.75" in home and "0.10" not in home
    record = volunteer_client.get(f"/volunteers/{volunteer.pk}/record/").content.decode()
    assert "<strong>1.75</strong>" in record
    record_rows = _xlsx(volunteer_client.get(f"/volunteers/{volunteer.pk}/record/", {"format": "xlsx"}))
    assert Decimal(str(record_rows[1][3])) == recorded_of_person
    me = api(volunteer).get("me").json()
    assert Decimal(me["hours"]) == recorded_of_person and me["services"] == 1
    mine = api(volunteer).get("me/export").json()
    assert Decimal(mine["hours"]["hours"]) == recorded_of_person
    claims = api(volunteer).get("claims").json()["items"]
    listed = next(c for c in claims if c["id"] == first.pk)
    assert (listed["hours"], listed["hours_credited"]) == ("1.75", "0.10")  # measured shown as what was measured
    pdf = api(volunteer).get(f"volunteers/{volunteer.pk}/certificate")
    assert pdf.status_code == 200
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    code = re.search(r"([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", text).group(1)
    assert Decimal(api().get(f"certificates/{code}").json()["hours"]) == recorded_of_person
    assert "<dd>1.75</dd>" in browser().get(f"/certificates/{code}/").content.decode()

    # Staff's national-format exports: each service, and each volunteer's total.
    records = _xlsx(staff_client.get(f"/communities/{community.pk}/volunteers/export/", {"table": "records", "format": "xlsx"}))
    column = records[0].index("服务时长（小时）")
    assert sum(Decimal(str(r[column])) for r in records[1:]) == recorded_of_community
    volunteers = _xlsx(staff_client.get(f"/communities/{community.pk}/volunteers/export/", {"table": "volunteers", "format": "xlsx"}))
    column = volunteers[0].index("服务时长（小时）")
    number = volunteer.volunteer_number.number
    assert Decimal(str(next(r for r in volunteers if r[0] == number)[column])) == recorded_of_person
    assert sum(Decimal(str(r[column] or 0)) for r in volunteers[1:]) == recorded_of_community
