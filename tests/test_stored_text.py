"""Sentences the system stores (points statement lines, a need's history) read in the reader's
language (#16): they are stored as a code and its parameters, and the migrations gave a code to the
older rows whose text they recognised; a text they did not recognise stays as it was."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone, translation

from marketplace.models import Need, NeedEvent
from marketplace.services import TaskFields, need_close, need_create_task, need_submit, need_triage
from orders import services as orders
from points import services as points
from points.models import LedgerTransaction
from tests.conftest import browser
from tests.factories import MembershipFactory
from tests.orders.test_volunteer_loop import submitted

pytestmark = pytest.mark.django_db


class SchemaEditor:
    """The little of a schema editor the fill migrations use (a real one cannot open inside the
    test's transaction on SQLite)."""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def migration(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_a_points_statement_reads_in_the_readers_language(api, funded, staff, volunteer, make_task):
    claim = submitted(make_task(title="陪伴独居老人"), volunteer, staff)
    orders.claim_verify(actor=staff, claim=claim)
    reward = points.reward_create(actor=staff, community=funded, name="大米", cost=5, stock=3)
    redemption = points.redemption_reserve(actor=volunteer, reward=reward, quantity=2)
    points.redemption_cancel(actor=volunteer, redemption=redemption)

    english = [row["reason"] for row in api(volunteer, language="en").get("points/entries").json()["items"]]
    chinese = [row["reason"] for row in api(volunteer).get("points/entries").json()["items"]]
    assert english == ["Returned: 大米 × 2", "Redeemed 大米 × 2", "Service: 陪伴独居老人"]
    assert chinese == ["退回：大米 × 2", "兑换大米 × 2", "服务：陪伴独居老人"]
    page = browser(volunteer, language="en").get("/points/").content.decode()
    assert "Service: 陪伴独居老人" in page and "服务：" not in page
    assert LedgerTransaction.objects.get(kind="budget").memo_code == "points_budget"


def test_a_reason_staff_typed_stays_as_they_typed_it(api, funded, staff, volunteer):
    points.points_award_by_staff(actor=staff, community=funded, user=volunteer, amount=5, reason="参加文明养犬议事会")
    assert [row["reason"] for row in api(volunteer, language="en").get("points/entries").json()["items"]] == ["参加文明养犬议事会"]


def test_the_migration_gives_older_statement_lines_their_code_and_keeps_the_ledger_guarded(funded, volunteer):
    older = LedgerTransaction.objects.create(kind="award", idempotency_key="old-1", memo="服务：陪伴独居老人")
    gift = LedgerTransaction.objects.create(kind="transfer", idempotency_key="old-2", memo="Gift from 张三 to 李四")
    typed = LedgerTransaction.objects.create(kind="award", idempotency_key="old-3", memo="参加文明养犬议事会")
    migration("points", "0005_ledger_memo_code_fill").fill(apps, SchemaEditor())
    for row in (older, gift, typed):
        row.refresh_from_db()
    assert (older.memo_code, older.memo_params) == ("points_service", {"task": "陪伴独居老人"})
    assert (gift.memo_code, gift.memo_params) == ("points_gift", {"giver": "张三", "receiver": "李四"})
    assert typed.memo_code is None
    with translation.override("en"):
        assert (older.memo_text, typed.memo_text) == ("Service: 陪伴独居老人", "参加文明养犬议事会")
    with translation.override("zh-hans"):
        assert gift.memo_text == "张三转赠给李四"
    # The append-only guard is back on the table.
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE points_ledgertransaction SET memo = 'x' WHERE id = %s", [older.pk])


def test_a_needs_history_reads_in_the_readers_language(community, staff):
    resident = MembershipFactory(community=community, role="resident").user
    need = need_submit(actor=resident, community=community, title="楼道灯坏了")
    need_triage(actor=staff, need=need, track="minor", reply="已安排志愿者")
    start = timezone.now() + timedelta(days=1)
    need_create_task(
        actor=staff, need=need,
        fields=TaskFields(title="更换楼道灯", description="", category="repair", starts_at=start, ends_at=start + timedelta(hours=1),
                          location="3 栋", slots=1, points=10, skills=[], beneficiary=None),
    )
    other = need_submit(actor=resident, community=community, title="想要一张长椅")
    need_close(actor=resident, need=other)
    english = browser(resident, language="en").get(f"/needs/{need.pk}/").content.decode()
    assert "Task posted: 更换楼道灯" in english and "已安排志愿者" in english  # staff's reply stays as written
    assert "Task posted" not in browser(resident).get(f"/needs/{need.pk}/").content.decode()
    assert "已发布任务：更换楼道灯" in browser(resident).get(f"/needs/{need.pk}/").content.decode()
    assert "Withdrawn by the resident." in browser(resident, language="en").get(f"/needs/{other.pk}/").content.decode()


def test_the_migration_gives_older_history_lines_their_code(community, staff):
    resident = MembershipFactory(community=community, role="resident").user
    need = Need.objects.create(community=community, author=resident, title="楼道灯坏了")
    posted = NeedEvent.objects.create(need=need, to_status="in_progress", note="已发布任务：更换楼道灯")
    decided = NeedEvent.objects.create(need=need, to_status="in_progress", note="协商议事已形成决议：每周一三五\n晚上遛狗")
    reply = NeedEvent.objects.create(need=need, to_status="triaged", note="已安排志愿者")
    migration("marketplace", "0012_need_event_note_code_fill").fill(apps, SchemaEditor())
    for row in (posted, decided, reply):
        row.refresh_from_db()
    assert (posted.note_code, posted.note_params) == ("need_task_posted", {"title": "更换楼道灯"})
    assert decided.note_params == {"decision": "每周一三五\n晚上遛狗"}
    assert reply.note_code == ""
    with translation.override("en"):
        assert (posted.note_text, reply.note_text) == ("Task posted: 更换楼道灯", "已安排志愿者")
