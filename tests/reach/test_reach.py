"""Reminders, email and calendars, in the test process (the real worker: test_worker.py)."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Notification
from accounts.services import notify
from orders.models import Claim
from orders.services import claim_create, claim_withdraw
from reach.models import OutboundEmail, Reminder
from reach.services import email_send, emails_due, reach_settings_update, reminders_send_due
from reach.tasks import send_digests, send_reminders
from tests.conftest import ApiClient
from tests.reach.smtp import SmtpServer, free_port, text_and_html


def reminders(user):
    return list(Notification.objects.filter(user=user, kind="task_reminder").order_by("id"))


# --- Reminders -------------------------------------------------------------------------------------
@override_settings(TASK_REMINDER_MINUTES=[1440, 120])
def test_a_claimant_is_reminded_a_day_and_two_hours_before_once_each(make_task, volunteer):
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    task = make_task(starts_at=start, ends_at=start + timedelta(hours=2), title="四点半课堂")
    claim_create(actor=volunteer, task=task)
    with time_machine.travel(start - timedelta(minutes=1441), tick=False):
        assert reminders_send_due() == 0
    with time_machine.travel(start - timedelta(minutes=1439), tick=False):
        assert send_reminders.call_local() == 1
        # Run again (a second worker, a retried job, a restart): nothing more.
        assert reminders_send_due() == 0
    [day] = reminders(volunteer)
    assert "四点半课堂" in day.message and "锣旗寺社区 3 栋" in day.message and day.url == f"/tasks/{task.pk}/"
    with time_machine.travel(start - timedelta(minutes=130), tick=False):
        assert reminders_send_due() == 0
    with time_machine.travel(start - timedelta(minutes=119), tick=False):
        assert reminders_send_due() == 1
        assert reminders_send_due() == 0
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        assert reminders_send_due() == 0
    assert len(reminders(volunteer)) == 2
    assert set(Reminder.objects.values_list("lead_minutes", flat=True)) == {1440, 120}


@override_settings(TASK_REMINDER_MINUTES=[1440, 120])
def test_a_late_claim_gets_only_the_reminders_still_ahead_and_a_withdrawn_one_none(make_task, volunteer, resident, community):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=5)
    task = make_task(starts_at=start, ends_at=start + timedelta(hours=1))
    claim_create(actor=volunteer, task=task)  # claimed 5 hours before: no "tomorrow" reminder
    with time_machine.travel(start - timedelta(minutes=119), tick=False):
        assert reminders_send_due() == 1
    assert len(reminders(volunteer)) == 1 and "分钟" in reminders(volunteer)[0].message

    other = make_task(starts_at=start + timedelta(hours=3), ends_at=start + timedelta(hours=4))
    claim = claim_create(actor=volunteer, task=other)
    claim_withdraw(actor=volunteer, claim=claim)
    with time_machine.travel(start + timedelta(hours=3) - timedelta(minutes=60), tick=False):
        assert reminders_send_due() == 0


@override_settings(TASK_REMINDER_MINUTES=[1440, 120])
def test_a_worker_down_for_a_day_sends_one_reminder_not_two(make_task, volunteer):
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    task = make_task(starts_at=start, ends_at=start + timedelta(hours=2))
    claim_create(actor=volunteer, task=task)
    with time_machine.travel(start - timedelta(minutes=60), tick=False):
        assert reminders_send_due() == 1
        assert reminders_send_due() == 0
    assert len(reminders(volunteer)) == 1


# --- Notification settings --------------------------------------------------------------------------
def test_notification_settings_patch(volunteer):
    api = ApiClient(volunteer)
    assert api.get("me/notification-settings").json() == {"email": True, "digest": False, "language": "zh-hans"}
    r = api._call("patch", "me/notification-settings", {"email": False})
    assert r.status_code == 200 and r.json()["email"] is False
    r = api._call("patch", "me/notification-settings", {"digest": True, "language": "en"})
    assert r.json() == {"email": False, "digest": True, "language": "en"}
    r = api._call("patch", "me/notification-settings", {"language": "xx"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_language")
    assert ApiClient()._call("patch", "me/notification-settings", {"email": True}).status_code == 401


# --- Email through a real SMTP server on loopback -----------------------------------------------------
def smtp_settings(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=3
    )


@pytest.mark.django_db(transaction=True)
def test_a_notification_arrives_by_email_in_the_persons_language_and_unsubscribe_works(community):
    from tests.factories import UserFactory

    person = UserFactory(email="li@example.org", display_name="李阿姨")
    reach_settings_update(actor=person, language="zh-hans")
    with SmtpServer() as smtp, smtp_settings(smtp.port):
        with transaction.atomic():
            notify(user=person, kind="claim_verified", message="您的服务已核实", url="/tasks/1/")
        [message] = smtp.messages
    assert message["To"] == "li@example.org"
    assert "您的服务已核实" in message["Subject"]
    text, html = text_and_html(message)
    assert "李阿姨" in text and "您的服务已核实" in text and "http://127.0.0.1:8000/tasks/1/" in text
    assert "<a href" in html
    link = re.search(r"http://127\.0\.0\.1:8000(/email/unsubscribe/[^\s]+/)", text).group(1)
    assert str(message["List-Unsubscribe"]).strip() == f"<http://127.0.0.1:8000{link}>"
    assert OutboundEmail.objects.get().status == "sent"

    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200 and "退订" in page.content.decode()
    assert anonymous.post(link).status_code == 200
    assert ApiClient(person).get("me/notification-settings").json()["email"] is False
    # From now on no email, and a forged link is a 404.
    with transaction.atomic():
        notify(user=person, kind="claim_verified", message="第二条")
    assert OutboundEmail.objects.count() == 1
    assert anonymous.get(link[:-3] + "xx/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_english_speakers_get_english_email(community):
    from tests.factories import UserFactory

    person = UserFactory(email="tom@example.org", display_name="Tom")
    reach_settings_update(actor=person, language="en")
    with transaction.atomic():
        notify(user=person, kind="x", message="Your service was verified")
    [message] = mail.outbox
    assert message.subject.startswith("Community Market:")
    assert "Hello Tom," in message.body and "To get no more email from us" in message.body


@pytest.mark.django_db(transaction=True)
def test_an_smtp_server_that_is_down_never_fails_a_request_and_is_retried_then_given_up(community, staff, volunteer, make_task, caplog):
    volunteer.email = "vol@example.org"
    volunteer.save()
    task = make_task()
    dead_port = free_port()  # nothing listens there
    with smtp_settings(dead_port), override_settings(EMAIL_MAX_ATTEMPTS=3):
        claim = claim_create(actor=volunteer, task=task)
        r = ApiClient(staff).post(f"tasks/{task.pk}/cancel", {"reason": "下雨"})
        assert r.status_code == 200, r.content
        email = OutboundEmail.objects.get(to="vol@example.org")
        assert (email.status, email.attempts) == ("pending", 1) and "Connection refused" in email.last_error
        assert email.next_attempt_at > timezone.now()
        assert emails_due() == []  # backing off
        with caplog.at_level(logging.WARNING, logger="reach.services"):
            for minutes in (2, 10):
                with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
                    assert emails_due() == [email.pk]
                    assert email_send(email.pk) is False
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("failed", 3)
        assert any("given up after 3 tries" in r.getMessage() for r in caplog.records)
    assert Claim.objects.get(pk=claim.pk).status == "withdrawn"


@pytest.mark.django_db(transaction=True)
def test_the_daily_digest_bundles_the_days_notifications_once(community):
    from tests.factories import UserFactory

    person = UserFactory(email="wang@example.org")
    reach_settings_update(actor=person, digest=True)
    with transaction.atomic():
        notify(user=person, kind="a", message="第一件事")
        notify(user=person, kind="b", message="第二件事")
    assert mail.outbox == []  # no email each: a digest
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert send_digests.call_local() == 1
        assert send_digests.call_local() == 0
    [message] = mail.outbox
    assert "第一件事" in message.body and "第二件事" in message.body and "/email/unsubscribe/" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"


# --- Calendar -------------------------------------------------------------------------------------------
def test_the_calendar_feed_lists_the_persons_live_claims_and_renewing_kills_the_old_url(make_task, volunteer):
    kept = make_task(title="四点半课堂", location="社区活动室")
    later = make_task(title="助老送餐", starts_at=timezone.now() + timedelta(days=4), slots=3)
    dropped = make_task(title="清扫楼道", starts_at=timezone.now() + timedelta(days=6))
    claim_create(actor=volunteer, task=kept)
    claim_create(actor=volunteer, task=later)
    claim_withdraw(actor=volunteer, claim=claim_create(actor=volunteer, task=dropped))
    api = ApiClient(volunteer)
    url = api.get("me/calendar").json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    path = url.removeprefix("http://testserver")

    response = Client().get(path)  # no login: the secret URL is the credential
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == ["四点半课堂", "助老送餐"]
    first = events[0]
    assert first.decoded("dtstart") == kept.starts_at and str(first["location"]) == "社区活动室"
    assert str(first["dtstart"].params["TZID"]) == "Asia/Shanghai" or first.decoded("dtstart").tzinfo.key == "Asia/Shanghai"
    assert str(first["url"]) == f"http://testserver/tasks/{kept.pk}/"
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["tzid"]) == "Asia/Shanghai"
    assert Client().get("/calendar/not-a-secret.ics").status_code == 404

    new_url = api.post("me/calendar/renew").json()["url"]
    assert new_url != url
    assert Client().get(path).status_code == 404
    assert Client().get(new_url.removeprefix("http://testserver")).status_code == 200
    assert api.get("me/calendar").json()["url"] == new_url


def test_add_to_calendar_on_the_task_page(make_task, volunteer):
    task = make_task(title="助老送餐")
    page = Client().get(f"/tasks/{task.pk}/")
    assert f'href="/tasks/{task.pk}/calendar.ics"' in page.content.decode()
    response = Client().get(f"/tasks/{task.pk}/calendar.ics")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "助老送餐" and event.decoded("dtend") == task.ends_at
    draft = make_task(draft=True)
    assert Client().get(f"/tasks/{draft.pk}/calendar.ics").status_code == 404
