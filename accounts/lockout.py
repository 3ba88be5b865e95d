"""Failed-login limits: per person and address together, and a much higher limit per address alone.

django-axes counts failures in the database (``AccessAttempt``: one row per name, address and
browser). ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`` locks a name only from the
address its failures came from, after ``LOGIN_FAILURE_LIMIT`` (5): someone guessing a resident's
password from five addresses no longer locks the resident out everywhere, and one resident's typos
no longer lock everyone behind the same address (a community centre, a carrier's NAT).

Axes has one limit for all its parameters, so the per-address limit, ``LOGIN_ADDRESS_FAILURE_LIMIT``
(100 by default), is added here: an address with that many failures within the cool-off, for any
names, is refused until the cool-off passes (someone trying many accounts from one place).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def address_failures(ip_address: str | None) -> int:
    """Failed logins from one address, for any names, within the cool-off."""
    if not ip_address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(ip_address: str | None) -> bool:
    return address_failures(ip_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginLimitHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-address limit."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if request is None or self.is_whitelisted(request, credentials):
            return False
        return address_locked(getattr(request, "axes_ip_address", None))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address's limit is itself answered as a lockout, as axes
        # does for the name's limit.
        if request is not None and not getattr(request, "axes_locked_out", False):
            if address_locked(getattr(request, "axes_ip_address", None)):
                request.axes_locked_out = True
