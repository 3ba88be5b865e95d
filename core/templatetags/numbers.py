"""How people read numbers: money in yuan with the sign and thousands separators, counts with
separators, and how long something has waited. Amounts are stored in fen (integers)."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def money(fen) -> str:
    """123400 → '¥1,234.00'; a negative amount → '-¥12.00'; empty stays empty."""
    if fen in (None, ""):
        return ""
    try:
        value = (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))
    except (TypeError, ValueError, InvalidOperation):
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


@register.filter
def thousands(value) -> str:
    """Group thousands with commas and keep the decimals the value has (12345 → 12,345; hours as
    stored, 1234.50 → 1,234.50); nothing → '—'."""
    if value in (None, ""):
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = max(0, -number.as_tuple().exponent)
    return f"{number:,.{places}f}"


def waited_text(since: datetime | None, now: datetime | None = None) -> str:
    if since is None:
        return ""
    seconds = max(0, ((now or timezone.now()) - since).total_seconds())
    days = int(seconds // 86400)
    if days >= 1:
        return ngettext("waiting %(count)d day", "waiting %(count)d days", days) % {"count": days}
    hours = int(seconds // 3600)
    if hours >= 1:
        return ngettext("waiting %(count)d hour", "waiting %(count)d hours", hours) % {"count": hours}
    return ngettext("waiting %(count)d minute", "waiting %(count)d minutes", max(1, int(seconds // 60))) % {"count": max(1, int(seconds // 60))}


@register.filter
def waited(since) -> str:
    """A moment → 'waiting 3 days' (等待 3 天)."""
    return waited_text(since)
