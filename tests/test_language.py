"""The language links in the page header: one click, back on the same page, in the other language."""

import pytest
from django.test import Client


def test_the_english_link_returns_to_the_same_page_in_english(community):
    client = Client()
    page = client.get("/tasks/?community=%d" % community.pk).content.decode()
    assert f'href="/language/en/?next=/tasks/%3Fcommunity%3D{community.pk}"' in page
    response = client.get(f"/language/en/?next=/tasks/%3Fcommunity%3D{community.pk}")
    assert response.status_code == 302 and response["Location"] == f"/tasks/?community={community.pk}"
    english = client.get(response["Location"]).content.decode()
    assert "Task board" in english and 'href="/language/zh-hans/' in english


def test_the_chinese_link_brings_chinese_back(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get("/language/zh-hans/?next=/")
    assert "登录" in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_link_never_sends_anyone_to_another_site(target):
    response = Client().get("/language/en/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_language_is_not_found():
    assert Client().get("/language/xx/?next=/").status_code == 404


def test_an_anonymous_page_carries_no_form_token_so_it_can_be_shared(community):
    response = Client().get("/tasks/")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies
