"""Task search by substring, as Chinese needs: two characters find a task, on both databases (on
PostgreSQL through the index of two-character windows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Task
from marketplace.search import bigrams
from marketplace.services import TaskFields, task_update


def titles(api, q):
    response = api().get("tasks", {"q": q})
    assert response.status_code == 200
    return sorted(t["title"] for t in response.json()["items"])


def test_bigrams_are_every_two_character_window_upper_cased():
    assert bigrams("义务理发") == sorted({"义务", "务理", "理发"})
    assert bigrams("Tea") == ["EA", "TE"]
    assert bigrams("老") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("理发", ["义务理发进社区"]),  # two characters, the usual search
        ("发进", ["义务理发进社区"]),  # across what a reader would call two words
        ("读报", ["陪伴独居老人"]),  # in the description only
        ("独", ["陪伴独居老人"]),  # one character: no index, still found
        ("wifi", ["Wi-Fi 设置 WIFI"]),  # letters in any case
        ("社区", ["义务理发进社区"]),
        ("理发店", []),
    ],
)
def test_search_finds_a_task_by_any_part_of_its_title_or_description(api, make_task, q, expected):
    make_task(title="陪伴独居老人", description="上门聊天、读报")
    make_task(title="义务理发进社区", description="为老年人修剪头发")
    make_task(title="Wi-Fi 设置 WIFI", description="帮邻居连网")
    assert titles(api, q) == expected


def test_an_edited_description_is_found_by_its_new_words(api, make_task, staff):
    task = make_task(title="家电维修", description="检修电饭煲")
    assert titles(api, "风扇") == []
    fields = TaskFields(
        title=task.title, description="检修电风扇", category=task.category, starts_at=task.starts_at, ends_at=task.ends_at,
        location=task.location, slots=task.slots, points=task.points, skills=[], beneficiary=None,
    )
    task_update(actor=staff, task=Task.objects.get(pk=task.pk), fields=fields)
    assert titles(api, "风扇") == ["家电维修"]
    assert "风扇" in Task.objects.get(pk=task.pk).search_grams


def test_on_postgresql_the_search_asks_the_index(api, make_task):
    make_task(title="义务理发进社区")
    with CaptureQueriesContext(connection) as queries:
        api().get("tasks", {"q": "理发"})
    sql = " ".join(q["sql"] for q in queries.captured_queries if "marketplace_task" in q["sql"])
    if connection.vendor == "postgresql":
        assert "search_grams" in sql and "@>" in sql
    else:
        assert "search_grams" not in sql  # SQLite has no such index: a plain scan


def test_the_board_filter_lists_every_community_and_keeps_the_chosen_one(community, other_community):
    from django.test import Client

    page = Client().get(f"/tasks/?community={other_community.pk}").content.decode()
    assert f'<option value="{community.pk}">锣旗寺社区</option>' in page
    assert f'<option value="{other_community.pk}" selected>东原社区</option>' in page
    assert '<select id="id_community" name="community">' in page
