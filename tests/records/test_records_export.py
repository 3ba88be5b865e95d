"""The national-standard export of a community's volunteers and service records (issue #20):
docs/records-export.md names the columns; staff only; CSV with BOM and XLSX; volunteer numbers,
names as staff see them, numbers as numbers; a formula in a task's title stays text."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from core.masking import mask_name
from marketplace.services import task_checkin_code
from orders import services
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def verified(task, volunteer, staff, hours="1.50"):
    claim = services.claim_create(actor=volunteer, task=task)
    with time_machine.travel(task.starts_at - timedelta(minutes=10), tick=False):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with time_machine.travel(task.starts_at + timedelta(minutes=100), tick=False):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        services.claim_submit(actor=volunteer, claim=claim, hours=hours)
        if task.beneficiary_id:  # the person served confirms first (two-party confirmation, #22)
            services.claim_confirm(actor=task.beneficiary, claim=claim)
        services.claim_verify(actor=staff, claim=claim)
    return claim


@pytest.fixture
def served(funded, make_task, staff, volunteer, resident):
    volunteer.display_name = "张晓明"
    volunteer.save()
    task = make_task(title="=HYPERLINK(\"http://evil\")陪伴独居老人", beneficiary=resident)
    return verified(task, volunteer, staff)


def _csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_records_export_has_the_national_columns(served, community, staff, volunteer, resident):
    number = volunteer.volunteer_number.number
    response = browser(staff).get(f"/communities/{community.pk}/volunteers/export/?table=records&format=csv")
    assert response.status_code == 200
    header, *rows = _csv(response)
    assert header == [
        "记录编号", "志愿者编号", "姓名", "服务项目", "服务类别", "服务开始时间", "服务结束时间", "服务地点", "服务时长（小时）",
        "荣誉时长（小时）", "服务对象", "代表组织", "记录单位", "记录日期",
    ]
    assert len(rows) == 1
    row = dict(zip(header, rows[0]))
    assert row["记录编号"] == str(served.pk) and row["志愿者编号"] == number and number.startswith("JB") and len(number) == 10
    assert row["姓名"] == "张晓明"  # staff's own export: the name as staff see it
    assert Decimal(row["服务时长（小时）"]) == Decimal("1.50")
    assert row["服务对象"] == "个人居民" and resident.shown_name not in ",".join(rows[0])
    assert row["记录单位"] == "锣旗寺社区" and row["服务地点"] == "锣旗寺社区 3 栋"
    assert not row["服务项目"].startswith("=")  # the formula stays text


def test_the_volunteers_export_in_excel(served, community, staff, volunteer, make_task):
    make_task(title="还没人做")
    response = browser(staff).get(f"/communities/{community.pk}/volunteers/export/?table=volunteers&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == ["志愿者编号", "姓名", "加入社区日期"]
    mine = next(r for r in rows[1:] if r[0] == volunteer.volunteer_number.number)
    assert mine[1] == "张晓明" and mine[4] == 1
    assert isinstance(mine[5], (int, float)) and Decimal(str(mine[5])) == Decimal("1.50")  # a number cell, not the text "1.50"
    assert sheet.cell(row=rows.index(mine) + 1, column=6).number_format == "0.00"


def test_the_english_reader_gets_english_headers(served, community, staff):
    header = _csv(browser(staff, language="en").get(f"/communities/{community.pk}/volunteers/export/?format=csv"))[0]
    assert header[:3] == ["Record number", "Volunteer number", "Name"]


def test_only_staff_of_the_community_export(served, community, volunteer, other_staff):
    url = f"/communities/{community.pk}/volunteers/export/?format=csv"
    assert browser(volunteer).get(url).status_code == 403
    assert browser(other_staff).get(url).status_code == 403
    assert browser().get(url).status_code == 302  # to the login


def test_a_bad_format_is_a_400(community, staff):
    assert browser(staff).get(f"/communities/{community.pk}/volunteers/export/?format=pdf").status_code == 400
    assert browser(staff).get(f"/communities/{community.pk}/volunteers/export/?table=everything").status_code == 400


@pytest.mark.parametrize(("name", "masked"), [("张晓明", "张*明"), ("李四", "李*"), ("欧阳娜娜", "欧**娜"), ("W", "*"), ("", "")])
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked
