"""One notification path (issue #29): a notice is a code and its parameters, rendered for each
reader in their language, on the live push as on the notifications page, whoever caused it."""

import ast
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator  # (channels.testing itself needs daphne)
from django.test import Client
from django.utils import translation

from accounts.models import CommunityInvitation, Notification
from config.asgi import application
from tests.conftest import ApiClient, browser

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def _language_restored():
    """The staff member's English request runs in this thread (thread-sensitive): leave no English behind."""
    language = translation.get_language()
    yield
    translation.activate(language)


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.mark.django_db(transaction=True)
def test_an_english_speaking_staff_members_invitation_reaches_a_chinese_speaking_resident_in_chinese(staff, community, outsider):
    cookie = session_cookie(outsider)
    english_staff = ApiClient(staff, language="en")

    async def scenario():
        # Her phone's page is in Chinese, so is the socket it opened.
        socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"cookie", cookie), (b"accept-language", b"zh-CN,zh;q=0.9")])
        assert (await socket.connect())[0]
        invited = await database_sync_to_async(english_staff.post)(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "volunteer"})
        assert invited.status_code == 202
        push = await socket.receive_json_from(timeout=3)
        await socket.send_json_to({"type": "catch_up", "since": push["id"] - 1})  # the same notice, caught up after a reconnection
        caught = await socket.receive_json_from(timeout=3)
        await socket.disconnect()
        return push, caught

    push, caught = async_to_sync(scenario)()
    note = Notification.objects.get(user=outsider)
    assert "invites you" in note.message  # written while the staff member's English was active
    for message in (push, caught):
        assert message["type"] == "notification" and message["code"] == "community_invitation"
        assert "邀请您" in message["message"] and "志愿者" in message["message"] and community.name in message["message"], message
        assert "invites" not in message["message"]
    assert push["url"] == "/accounts/invitations/"
    page = browser(outsider).get("/notifications/").content.decode()
    assert push["message"] in page and "invites you" not in page
    # And she may read it in English when she switches: the page follows the reader, not the writer.
    assert "invites you to join" in browser(outsider, language="en").get("/notifications/").content.decode()
    assert CommunityInvitation.objects.filter(user=outsider, status="pending").count() == 1


def test_every_notification_the_code_base_sends_is_a_code_with_a_link_by_reverse():
    """No notice is a sentence fixed in one language, and no link is written by hand."""
    sent_without_code, links_by_hand = [], []
    for path in sorted(ROOT.rglob("*.py")):
        if {".venv", "tests", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("notify", "notification_store"):
                keywords = {k.arg: k.value for k in node.keywords}
                if "code" not in keywords:
                    sent_without_code.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if isinstance(keywords.get("url"), ast.JoinedStr | ast.Constant):
                    links_by_hand.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not sent_without_code, "notices without a code (add one to accounts/notices.py):\n" + "\n".join(sent_without_code)
    assert not links_by_hand, "links written by hand (use reverse()):\n" + "\n".join(links_by_hand)
