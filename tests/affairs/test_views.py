"""The public funds page and its export: every spending line, totals that add up, donations included."""

import csv
import io
from datetime import date

import pytest

from affairs import services
from funds.models import Donation
from tests.conftest import browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(staff, community):
    fund = services.fund_create(actor=staff, name="惠民资金 · 居家养老", source="government", amount=240_000, year=2026, community=community)
    services.spending_line_record(actor=staff, fund=fund, amount=36_000, what="=HYPERLINK(\"x\") 助餐补贴", at=date(2026, 4, 8))
    services.spending_line_record(actor=staff, fund=fund, amount=58_000, what="适老化改造", at=date(2026, 9, 1))
    Donation.objects.create(community=community, amount=50_000, currency="cny", status="succeeded")
    return fund


def test_the_csv_lists_every_spending_line_and_each_fund_adds_up(community, money):
    response = browser().get("/affairs/funds/", {"community": community.pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))[1:]
    government = [r for r in rows if r[0] == "惠民资金 · 居家养老"]
    assert [int(r[-1]) for r in government] == [240_000, -58_000, -36_000]  # the amount, then every line
    assert government[2][5] == "'=HYPERLINK(\"x\") 助餐补贴"  # a formula is written as text
    assert any(r[-1] == "50000" for r in rows)  # the donations are there too


def test_the_funds_page_totals_are_the_sums_of_its_rows(community, money):
    page = browser(language="en").get("/affairs/funds/", {"community": community.pk}).content.decode()
    assert "¥290,000.00" not in page  # 2,400 + 500 yuan, not fen
    assert "¥2,900.00" in page and "¥940.00" in page and "¥1,960.00" in page


def test_the_xlsx_opens(community, money):
    response = browser().get("/affairs/funds/", {"community": community.pk, "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_report_form_without_text_says_so_and_writes_nothing(resident, community):
    from affairs.models import Report

    response = browser(resident).post("/affairs/reports/new/", {"community": community.pk, "subject": "路灯", "text": "  "})
    assert response.status_code == 400 and "此项为必填项。" in response.content.decode()
    assert not Report.objects.exists()


def test_the_next_page_of_a_category_stays_in_that_category(staff, community):
    """The policy list's pages keep the search word and the category: the next page of 养老 used to
    list every category."""
    for n in range(25):
        services.policy_create(actor=staff, title=f"养老政策{n}", category="elderly", issuer="江北区民政局", summary="摘要",
                               effective_at=date(2026, 1, 1), community=community)
    services.policy_create(actor=staff, title="就业政策", category="employment", issuer="江北区人社局", summary="摘要",
                           effective_at=date(2026, 1, 1), community=community)
    page = browser(None, "en").get("/affairs/policies/", {"category": "elderly"}).content.decode()
    assert "?category=elderly&amp;page=2" in page
    second = browser(None, "en").get("/affairs/policies/", {"category": "elderly", "page": 2}).content.decode()
    assert "养老政策" in second and "就业政策" not in second
