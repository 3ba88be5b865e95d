"""Passwords: changing one, the reset e-mail and setting a new one from its link."""

import logging

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from accounts.models import (
    ApiToken,
    User,
)
from accounts.services.auth import token_create
from core.errors import ValidationFailed

__all__ = ["password_change", "RESET_EMAIL_TEMPLATE", "RESET_SUBJECT_TEMPLATE", "password_reset_request", "reset_email_context", "password_set", "password_reset_user", "password_reset_confirm"]


logger = logging.getLogger(__name__)


def password_change(*, actor: User, old_password: str, new_password: str) -> str:
    """Change one's own password and return a fresh API token. Every other token of the person is
    revoked; their sessions stop working too, because Django checks each session against a hash
    of the password (the page that called this keeps its own session with
    ``update_session_auth_hash``). 400 ``wrong_password``, 400 ``weak_password``; nothing written then."""
    if not actor.is_authenticated or not actor.check_password(old_password or ""):
        raise ValidationFailed(_("Your current password is not right."), code="wrong_password", field="old_password")
    try:
        validate_password(new_password or "", user=actor)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", field="new_password") from None
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        ApiToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token = token_create(user=actor)
    logger.info("User %s changed their password; their other tokens and sessions were ended", actor.pk)
    return token


# --- Password reset by email -------------------------------------------------------------------
RESET_EMAIL_TEMPLATE = "accounts/password_reset_email.txt"


RESET_SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"


def password_reset_request(*, request, email: str) -> None:
    """Send a reset link (``<SITE_URL>/accounts/reset/<uid>/<token>/``, never the request's Host:
    issue #36.5) to every active
    account with this address, through Django's mail settings. Says nothing about whether one
    exists: the caller answers the same either way. The page (Django's ``PasswordResetView``) uses
    the same form and templates."""
    form = PasswordResetForm({"email": (email or "").strip()[:254]})
    if not form.is_valid():
        return  # not an address: nobody to write to, and nothing to tell
    form.save(
        request=request,
        use_https=request.is_secure(),
        subject_template_name=RESET_SUBJECT_TEMPLATE,
        email_template_name=RESET_EMAIL_TEMPLATE,
        from_email=settings.DEFAULT_FROM_EMAIL,
        extra_email_context=reset_email_context(),
    )


def reset_email_context() -> dict:
    """Every link in a reset email starts with ``SITE_URL``: a forged ``Host`` header must not
    send a person's reset token to another site (issue #36.5)."""
    return {"site_url": settings.SITE_URL}


def password_set(*, user: User, new_password: str) -> None:
    """Set a new password and end every token and session of the person (sessions end because
    Django checks each against a hash of the password). 400 ``weak_password``."""
    try:
        validate_password(new_password or "", user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", field="new_password") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    logger.info("User %s set a new password; their tokens and sessions were ended", user.pk)


def password_reset_user(*, uid: str, token: str) -> User:
    """The person a reset link is for; 400 ``invalid_reset_link`` for a forged, used or expired one
    (the token is bound to the password, so it works once)."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid or "")), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist, DjangoValidationError):
        user = None
    if user is None or not default_token_generator.check_token(user, token or ""):
        raise ValidationFailed(
            _("This password reset link is not valid: it was used already or has expired. Ask for a new one."), code="invalid_reset_link"
        )
    return user


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    user = password_reset_user(uid=uid, token=token)
    password_set(user=user, new_password=new_password)
    return user
