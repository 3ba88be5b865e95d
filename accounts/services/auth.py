"""Signing in: API tokens (obtained, checked, revoked), the lockout after wrong passwords and who may lift it,
and telling a person's open sockets to check their credentials again."""

import hashlib
import logging
import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    ApiToken,
    Membership,
    User,
)
from accounts.selectors import staff_community_ids
from core import pubcache
from core.errors import NotAuthenticated, PermissionDenied, RateLimited
from core.realtime import push_after_commit, user_group

__all__ = ["hash_token", "token_obtain", "can_unlock", "lockout_reset", "token_create", "token_authenticate", "token_revoke", "sockets_recheck"]


logger = logging.getLogger(__name__)


# --- API tokens ----------------------------------------------------------------------------------
def hash_token(raw: str) -> str:
    """How a token is stored (and how core/pubcache.py recognises it): its SHA-256."""
    return hashlib.sha256(raw.encode()).hexdigest()


_hash_token = hash_token


def token_obtain(*, request, username: str, password: str) -> str:
    """Check a name and password and issue a new bearer token (returned once, stored hashed).

    Repeated failures for one name or from one address lock them out for a while (429
    ``rate_limited``); django-axes counts the failures in the database, so every server process
    sees the same count."""
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise RateLimited()
    if user is None or not user.is_active:
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    return token_create(user=user)


def can_unlock(actor: User, user: User) -> bool:
    """The district admin may unlock anyone; community staff, the members of their communities."""
    if not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return Membership.objects.filter(user=user, community_id__in=staff_community_ids(actor)).exists()


def lockout_reset(*, actor: User, user: User) -> int:
    """Lift the login lockout of ``user`` so they can log in again at once; returns how many
    recorded attempts were cleared. Nothing to clear is no error, so a double click or a retried
    call is harmless.

    Only the failures recorded for this person's username are cleared, through django-axes' own
    reset (which also clears its cache). The address they failed from is then free of these
    failures too, but an address that also failed for other names (someone trying many accounts)
    stays locked: that is not the person's lockout to lift."""
    if not can_unlock(actor, user):
        raise PermissionDenied(_("Only staff of a community this person belongs to can unlock their account."))

    with transaction.atomic():
        # The name as typed at the login: "Wang" and "wang" are one account, and axes counts each.
        typed = set(AccessAttempt.objects.filter(username__iexact=user.username).values_list("username", flat=True))
        cleared = sum(reset(username=name) for name in typed)
    logger.info("Login lockout of user %s lifted by user %s (%d attempts cleared)", user.pk, actor.pk, cleared)
    return cleared


def token_create(*, user: User) -> str:
    """A new bearer token. Signing in is its first use: ``last_used_at`` starts there, so the calls
    that follow at once do not each write it (``token_authenticate`` records use every 5 minutes)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(raw),
        prefix=raw[:8],
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        last_used_at=now,
    )
    return raw


def token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None for an unknown, expired or revoked token."""
    if not raw:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Record use at most every few minutes, so a busy client does not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, actor: User, raw: str) -> None:
    """Revoke the caller's own token; revoking twice is harmless."""
    ApiToken.objects.filter(user=actor, key_hash=_hash_token(raw), revoked_at__isnull=True).update(revoked_at=timezone.now())
    pubcache.forget_viewers([_hash_token(raw)])
    sockets_recheck(actor.pk)  # a socket opened with this token closes (issue #36.3)


def sockets_recheck(user_id: int, *, ended_session: str | None = None) -> None:
    """After the transaction: every websocket of the person checks its token or session again and
    closes if it no longer holds (``accounts.consumers``); a socket of ``ended_session`` (a session
    being ended by logout) closes at once. Issue #36.3."""
    if user_id is not None:
        push_after_commit(user_group(user_id), {"type": "credentials.check", "ended_session": ended_session})
