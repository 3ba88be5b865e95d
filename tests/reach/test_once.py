"""Email at most once per outbox row in practice (reach/services.py ``email_send``, issue #27).

A worker can die at any instant of sending; here it "dies" (an exception no handler catches, as a
SIGKILL stops everything) at each step in turn: before talking to the server, while the server
reads the message, right after the server accepted it, and while saying goodbye (QUIT). Its lease
then expires and the sweep runs, as a restarted worker's would. Counted at a real SMTP server:
every row arrives, and arrives once, except when the worker died in the one instant between the
server's acceptance and the row being marked sent: then a second copy arrives with the same
``Message-ID`` (the window docs/jobs.md states).
"""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.test import override_settings
from django.utils import timezone

from reach import services
from reach.models import OutboundEmail
from tests.factories import UserFactory
from tests.reach.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


class Killed(BaseException):
    """The worker's death: nothing in the sending code catches it, as nothing survives a SIGKILL."""


def die(*args, **kwargs):
    raise Killed


def smtp_settings(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=3
    )


def queue_one(text: str) -> OutboundEmail:
    person = UserFactory(email="zhou@example.org")
    return OutboundEmail.objects.create(user=person, to=person.email, subject=text, body_text=text, next_attempt_at=timezone.now())


def after_the_lease():
    """The killed worker's lease expires and the sweep runs, as a restarted worker does."""
    OutboundEmail.objects.filter(status="pending").update(locked_until=timezone.now() - timedelta(seconds=1))
    for email_id in services.emails_due():
        services.email_send(email_id)


# (where the worker dies, what it patches, how many copies arrive in the end)
DEATHS = [
    ("before it connects", (EmailBackend, "open"), 1),
    ("while the server reads the message", (smtplib.SMTP, "sendmail"), 1),
    ("while it says goodbye (QUIT), after the row is marked sent", (EmailBackend, "close"), 1),
    ("between the server's acceptance and marking the row sent", (services, "_mark_sent"), 2),
]


@pytest.mark.parametrize("where,target,copies", DEATHS, ids=[d[0] for d in DEATHS])
def test_a_worker_killed_at_any_step_sends_each_email_once_outside_the_stated_window(monkeypatch, where, target, copies):
    email = queue_one(f"死于 {where}")
    with SmtpServer() as smtp, smtp_settings(smtp.port):
        with monkeypatch.context() as patched:
            patched.setattr(*target, die)
            with pytest.raises(Killed):
                services.email_send(email.pk)
        email.refresh_from_db()
        assert email.locked_until is not None or email.status == "sent", "the row was not held while it was being sent"
        assert services.emails_due() == [] or email.status == "sent", "a held row must not be taken by a second worker before its lease ends"
        after_the_lease()
        after_the_lease()  # and a second sweep sends nothing more
        received = list(smtp.messages)
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(received) == copies, f"died {where}: {len(received)} copies arrived"
    assert {m["Message-ID"] for m in received} == {services.message_id(email)}, "every copy of a row carries the row's one Message-ID"


def test_a_hundred_emails_with_a_death_at_each_step_arrive_with_no_duplicate_outside_the_window():
    emails = [queue_one(f"第 {n} 封") for n in range(100)]
    with SmtpServer() as smtp, smtp_settings(smtp.port):
        for email, (_where, target, _copies) in zip(emails, DEATHS * 25, strict=True):
            if target[1] == "_mark_sent":
                services.email_send(email.pk)  # the window itself is counted by the test above
                continue
            saved = getattr(*target)
            setattr(*target, die)
            try:
                with pytest.raises(Killed):
                    services.email_send(email.pk)
            finally:
                setattr(*target, saved)
        after_the_lease()
        ids = [m["Message-ID"] for m in smtp.messages]
    assert OutboundEmail.objects.filter(status="sent").count() == 100
    assert len(ids) == 100 and len(set(ids)) == 100, f"{len(ids)} messages for 100 rows, {len(ids) - len(set(ids))} duplicates"
