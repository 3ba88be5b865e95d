"""Reaching people outside the site: reminders before claimed tasks, email (each notification, or a
daily digest) with back-off and a bounded number of tries, and the secret calendar feed.

Every job here is an idempotent sweep of the database (what is due and not yet done), so a job
lost with a killed worker is simply done by the next run, and a run done twice does nothing more.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import notices
from accounts.models import Notification, User
from accounts.services import notification_store
from core.errors import NotFound, ValidationFailed
from marketplace.models import Task
from orders.models import Claim
from reach.models import OutboundEmail, ReachSettings, Reminder, new_calendar_token

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "reach.unsubscribe"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# --- Settings --------------------------------------------------------------------------------------
def settings_for(user: User) -> ReachSettings:
    row, _created = ReachSettings.objects.get_or_create(user=user)
    return row


def reach_settings_update(*, actor: User, email: bool | None = None, digest: bool | None = None, language: str | None = None) -> ReachSettings:
    if language is not None and language not in LANGUAGE_CODES:
        raise ValidationFailed(_("Unknown language."), code="invalid_language", field="language")
    with transaction.atomic():
        row = settings_for(actor)
        if email is not None:
            row.email = email
        if digest is not None:
            row.digest = digest
            if digest and row.digest_sent_until is None:
                # The first digest holds what comes from now on, not the person's whole history.
                row.digest_sent_until = timezone.now()
        if language is not None:
            row.language = language
        row.save()
    return row


def unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User) -> str:
    return settings.SITE_URL + reverse("reach:unsubscribe", args=[unsubscribe_token(user)])


def user_for_unsubscribe_token(token: str) -> User:
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound(code="invalid_link") from None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(code="invalid_link")
    return user


def email_unsubscribe(*, token: str) -> User:
    """Turn email off for the person the signed link names (no login: the link is the proof)."""
    user = user_for_unsubscribe_token(token)
    ReachSettings.objects.update_or_create(user=user, defaults={"email": False})
    return user


# --- Email -------------------------------------------------------------------------------------------
def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def email_compose(*, user: User, subject: str, template: str, context: dict) -> OutboundEmail | None:
    """Write an email to the outbox (in the caller's transaction), in the person's language, with a
    plain-text part and an unsubscribe link; ``None`` when they have no address or want none."""
    prefs = settings_for(user)
    if not user.email or not prefs.email:
        return None
    link = unsubscribe_url(user)
    with translation.override(prefs.language):
        ctx = {**context, "user": user, "unsubscribe_url": link, "site_url": settings.SITE_URL}
        text = render_to_string(f"reach/email/{template}.txt", ctx)
        html = render_to_string(f"reach/email/{template}.html", ctx)
    email = OutboundEmail.objects.create(
        user=user, to=user.email, subject=subject[:200], body_text=text, body_html=html, unsubscribe_url=link, next_attempt_at=timezone.now()
    )
    return email


def email_for_notification(note: Notification) -> OutboundEmail | None:
    """The email of one notification, unless the person gets a daily digest instead."""
    prefs = settings_for(note.user)
    if prefs.digest:
        return None
    with translation.override(prefs.language):
        subject = _("Community Market: %(message)s") % {"message": note.text[:80]}
    return email_compose(user=note.user, subject=subject, template="notification", context={"note": note, "link": _absolute(note.url) if note.url else ""})


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, 8 … minutes after each failed try, at most an hour.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def message_id(email: OutboundEmail) -> str:
    """The ``Message-ID`` of one outbox row: the same at every try, so a copy sent again after a
    worker died in the instant between the server's acceptance and the row being marked sent is
    recognisably the same message (mail clients and providers fold such copies into one)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{email.pk}.{int(email.created_at.timestamp())}@{domain}>"


def email_send(email_id: int) -> bool:
    """Send one outbox email at most once in practice: hold it with a lease (so two workers never
    both send it, and a try is counted before it begins), talk SMTP, and mark it sent the moment
    the server has accepted the message (before saying goodbye to it). A failure leaves it pending
    with the next try after a back-off, or gives it up after ``EMAIL_MAX_ATTEMPTS`` tries, logged.
    A worker killed while it holds the email lets go when the lease
    (``EMAIL_SEND_LEASE_SECONDS``) expires, and the sweep sends it then: a second copy, with the
    same ``Message-ID``, only if it died between the acceptance and the UPDATE (README, "Email").
    Returns whether it was sent now."""
    now = timezone.now()
    # Conditional UPDATE: the row count says whether this worker holds the email.
    held = OutboundEmail.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now), pk=email_id, status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now
    ).update(locked_until=now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS), attempts=F("attempts") + 1)
    if not held:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    headers = {"Message-ID": message_id(email)}
    if email.unsubscribe_url:
        headers |= {"List-Unsubscribe": f"<{email.unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    smtp = get_connection(fail_silently=False)
    message = EmailMultiAlternatives(subject=email.subject, body=email.body_text, to=[email.to], headers=headers, connection=smtp)
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    attempts = email.attempts
    try:
        smtp.open()  # an open connection: send_messages returns once DATA is accepted, before QUIT
        accepted = smtp.send_messages([message])
        if not accepted:
            raise RuntimeError("the server accepted no recipient")
    except Exception as exc:  # SMTP down, address refused, timeout: all are retried the same way
        _close_quietly(smtp)
        error = f"{type(exc).__name__}: {exc}"[:300]
        if attempts >= settings.EMAIL_MAX_ATTEMPTS:
            OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmail.Status.FAILED, locked_until=None, last_error=error)
            log.error("email %s to user %s given up after %s tries: %s", email_id, email.user_id, attempts, error)
        else:
            OutboundEmail.objects.filter(pk=email_id).update(locked_until=None, last_error=error, next_attempt_at=timezone.now() + _backoff(attempts))
            log.warning("email %s to user %s failed (try %s of %s): %s", email_id, email.user_id, attempts, settings.EMAIL_MAX_ATTEMPTS, error)
        return False
    _mark_sent(email_id)
    _close_quietly(smtp)
    return True


def _mark_sent(email_id: int) -> None:
    OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmail.Status.SENT, locked_until=None, sent_at=timezone.now(), last_error="")


def _close_quietly(smtp) -> None:
    try:
        smtp.close()
    except Exception:  # the message is accepted (or refused) already; a failed QUIT changes nothing
        log.info("SMTP connection closed uncleanly", exc_info=True)


def emails_due() -> list[int]:
    now = timezone.now()
    return list(
        OutboundEmail.objects.filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now), status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:500]
    )


# --- Reminders ----------------------------------------------------------------------------------------
def _until(start, now) -> dict:
    """How long until the start, as a phrase each reader gets in their language (notices.phrase)."""
    minutes = max(int((start - now).total_seconds() // 60), 0)
    if minutes >= 120:
        return notices.phrase(gettext_noop("in about %(hours)s hours"), hours=round(minutes / 60))
    return notices.phrase(gettext_noop("in %(minutes)s minutes"), minutes=minutes)


def reminders_send_due(now=None) -> int:
    """Remind each claimant before their task starts, once per claim and lead time
    (``TASK_REMINDER_MINUTES``). A lead time is due when the task starts within it, and the claim
    was made before it began (someone who claims an hour before is not told "tomorrow"). When
    several are due at once (a worker was down), one reminder covers them. Returns how many were sent."""
    now = now or timezone.now()
    leads = settings.TASK_REMINDER_MINUTES
    if not leads:
        return 0
    horizon = now + timedelta(minutes=max(leads))
    claims = (
        Claim.objects.filter(
            status=Claim.Status.CLAIMED,
            task__status__in=[Task.Status.OPEN, Task.Status.FULL],
            task__starts_at__gt=now,
            task__starts_at__lte=horizon,
        )
        .select_related("task", "user")
        .order_by("task__starts_at", "id")
    )
    sent = 0
    for claim in claims:
        start = claim.task.starts_at
        due = [lead for lead in leads if claim.created_at <= start - timedelta(minutes=lead) <= now]
        done = set(Reminder.objects.filter(claim=claim).values_list("lead_minutes", flat=True))
        due = [lead for lead in due if lead not in done]
        if not due:
            continue
        if _remind(claim, due, now):
            sent += 1
    return sent


def _remind(claim: Claim, leads: list[int], now) -> bool:
    prefs = settings_for(claim.user)
    try:
        with transaction.atomic():
            # The unique (claim, lead) rows decide: a second worker, a retried run or a restart
            # after a crash finds them and sends nothing; a crash before the commit leaves nothing.
            Reminder.objects.bulk_create([Reminder(claim=claim, lead_minutes=lead) for lead in leads])
            params = {
                "title": claim.task.title,
                "when": _until(claim.task.starts_at, now),
                "time": timezone.localtime(claim.task.starts_at).strftime("%m-%d %H:%M"),
                "place": claim.task.location,
            }
            with translation.override(prefs.language):  # the fallback sentence, in the language chosen for email
                message = notices.render("task_reminder", params)
            notification_store(
                user=claim.user, kind="task_reminder", code="task_reminder", params=params, message=message,
                url=reverse("tasks:detail", args=[claim.task_id]),
            )
    except IntegrityError:
        return False
    return True


# --- Digests ---------------------------------------------------------------------------------------------
def digests_send(now=None) -> list[int]:
    """The daily digest: for each person who chose it, one email with the notifications since the
    last one (none when there were none). Returns the outbox ids written, for the job to send."""
    now = now or timezone.now()
    written = []
    for prefs in ReachSettings.objects.filter(digest=True, email=True).exclude(user__email="").select_related("user"):
        since = prefs.digest_sent_until or (now - timedelta(days=1))
        with transaction.atomic():
            # Conditional UPDATE: two runs at once (or a retried one) write one digest for the period.
            moved = ReachSettings.objects.filter(pk=prefs.pk, digest_sent_until=prefs.digest_sent_until).update(digest_sent_until=now)
            if not moved:
                continue
            notes = list(Notification.objects.filter(user=prefs.user, created_at__gt=since, created_at__lte=now).order_by("created_at", "id")[:100])
            if not notes:
                continue
            with translation.override(prefs.language):
                subject = _("Community Market: your daily digest (%(count)s)") % {"count": len(notes)}
            items = [{"note": n, "link": _absolute(n.url) if n.url else ""} for n in notes]
            email = email_compose(user=prefs.user, subject=subject, template="digest", context={"items": items})
            if email is not None:
                written.append(email.pk)
    return written


# --- Calendar ----------------------------------------------------------------------------------------------
def calendar_path(user: User) -> str:
    """The path of the person's secret calendar feed (made on first use)."""
    return reverse("reach:calendar_feed", args=[settings_for(user).calendar_token])


def calendar_renew(*, actor: User) -> str:
    """A new secret feed; the old URL answers 404 from now on. Returns the new path."""
    with transaction.atomic():
        row = settings_for(actor)
        row.calendar_token = new_calendar_token()
        row.save(update_fields=["calendar_token"])
    return calendar_path(actor)
