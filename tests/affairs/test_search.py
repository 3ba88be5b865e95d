"""Policy and service item search: the board's two-character search (marketplace/search.py), through
the GIN index on PostgreSQL, quick among thousands of policies."""

import time
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from affairs.models import Policy

pytestmark = pytest.mark.django_db


def _policies(admin, n: int) -> None:
    topics = ["就业见习补贴", "医疗救助", "学生资助", "残疾人护理补贴", "临时救助", "公租房保障", "创业担保贷款", "家庭医生签约"]
    Policy.objects.bulk_create([
        Policy(title=f"江北区{topics[i % len(topics)]}办法（第 {i} 号）", category="other", issuer="江北区人民政府", summary=f"第 {i} 项惠民政策",
               effective_at=date(2025, 1, 1), created_by=admin, search_grams=[])
        for i in range(n)
    ])
    for p in Policy.objects.all():  # bulk_create skips save(): give each its windows once
        p.save(update_fields=["title"])


@pytest.mark.parametrize(("q", "found"), [("高龄", 1), ("补贴", 1), ("80 周岁", 1), ("高", 1), ("护理补贴", 0), ("GAOLING", 0)])
def test_a_policy_is_found_by_any_part_of_its_title_summary_or_text(api, superuser, q, found):
    api(superuser).post("public/policies", {"title": "高龄津贴发放办法", "category": "elderly", "issuer": "江北区民政局",
                                             "summary": "80 周岁以上老人", "body": "每月领取补贴", "effective_at": "2025-01-01"})
    assert api().get("public/policies", {"q": q}).json()["count"] == found


def test_on_postgresql_the_policy_search_asks_the_index(api, superuser):
    _policies(superuser, 3)
    with CaptureQueriesContext(connection) as queries:
        api().get("public/policies", {"q": "救助"})
    sql = " ".join(q["sql"] for q in queries.captured_queries if "affairs_policy" in q["sql"])
    if connection.vendor == "postgresql":
        assert "search_grams" in sql and "@>" in sql
    else:
        assert "search_grams" not in sql


def test_two_characters_find_their_policies_among_five_thousand_quickly(api, superuser):
    _policies(superuser, 5000)
    client = api()
    client.get("public/policies", {"q": "救助"})  # warm
    started = time.perf_counter()
    for _ in range(5):
        body = client.get("public/policies", {"q": "护理"}).json()
    per_search = (time.perf_counter() - started) / 5
    assert body["count"] == 625
    print(f"policy search among 5000 ({connection.vendor}): {per_search * 1000:.1f} ms")
    assert per_search < 0.5
