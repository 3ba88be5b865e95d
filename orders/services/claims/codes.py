"""Codes typed for a claim (the check-in code staff show, the beneficiary's service card), throttled per
claim in the shared cache: after ``CODE_ATTEMPTS_LIMIT`` wrong codes every code is refused for a while."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts.selectors import card_owner_by_code
from core.errors import RateLimited, ValidationFailed
from marketplace.services import checkin_code_is_valid
from orders.models import Claim

__all__ = ["CODE_ATTEMPTS_LIMIT", "CODE_ATTEMPTS_WINDOW", "checkin_code_check", "beneficiary_code_check"]


# A 6-digit code must not be guessable: after this many wrong codes for one claim within the
# window, every code (even the right one) is refused for the window (429 too_many_attempts).
CODE_ATTEMPTS_LIMIT = 5


CODE_ATTEMPTS_WINDOW = timedelta(minutes=10)


logger = logging.getLogger(__name__)


def _code_keys(claim: Claim) -> tuple[str, str]:
    return f"checkin-code:failures:{claim.pk}", f"checkin-code:locked:{claim.pk}"


def _check_attempts(claim: Claim, is_valid, *, keys: tuple[str, str], field: str, wrong_message: str) -> None:
    """Check a code typed for a claim, counting wrong codes per claim in the Django cache (Redis
    when scaled out), so every server process sees the same count: after ``CODE_ATTEMPTS_LIMIT``
    wrong codes within ``CODE_ATTEMPTS_WINDOW`` every code, even the right one, is refused for the
    window (429 ``too_many_attempts``). The count is kept outside the transaction: a refusal rolls
    the claim back, not the count. ``is_valid`` is called only when not locked."""
    failures_key, locked_key = keys
    window = int(CODE_ATTEMPTS_WINDOW.total_seconds())
    try:
        locked = cache.get(locked_key)
    except Exception:  # the cache is down: check-ins go on, unthrottled, and it is logged
        logger.warning("code attempts cannot be counted: the cache is unavailable", exc_info=True)
        locked = None
    if locked:
        raise RateLimited(
            _("Too many wrong codes. Wait %(n)d minutes, then try again.") % {"n": window // 60}
            if field != "code"
            else _("Too many wrong codes. Wait %(n)d minutes, then ask the staff on site for the current code.") % {"n": window // 60},
            code="too_many_attempts",
            field=field,
        )
    if is_valid():
        return
    try:
        cache.add(failures_key, 0, timeout=window)  # the window starts at the first wrong code
        if cache.incr(failures_key) >= CODE_ATTEMPTS_LIMIT:
            cache.set(locked_key, 1, timeout=window)
            cache.delete(failures_key)
    except ValueError:  # the count expired between add and incr: this is the first of a new window
        cache.set(failures_key, 1, timeout=window)
    except Exception:
        logger.warning("code attempts cannot be counted: the cache is unavailable", exc_info=True)
    raise ValidationFailed(wrong_message, code="invalid_code", field=field)


def checkin_code_check(claim: Claim, code: str) -> None:
    """The check-in (or check-out) code staff show on site, throttled per claim."""
    _check_attempts(
        claim,
        lambda: checkin_code_is_valid(claim.task, code),
        keys=_code_keys(claim),
        field="code",
        wrong_message=_("The check-in code is wrong or has expired. Ask the staff on site for the current code."),
    )


def beneficiary_code_check(claim: Claim, code: str) -> None:
    """The code of the beneficiary's current service card (or its QR code's content), typed by the
    volunteer: the same attempt limit as check-in codes, counted apart from them."""
    beneficiary_id = claim.task.beneficiary_id

    def valid() -> bool:
        owner = card_owner_by_code(code)
        return owner is not None and owner.pk == beneficiary_id

    _check_attempts(
        claim,
        valid,
        keys=(f"card-code:failures:{claim.pk}", f"card-code:locked:{claim.pk}"),
        field="beneficiary_code",
        wrong_message=_("That is not the service card of the person this service is for, or the card was renewed."),
    )
