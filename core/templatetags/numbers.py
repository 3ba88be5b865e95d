"""Numbers as people read them: ``{{ 12345|thousands }}`` → 12,345.

Money has its own filter, ``yuan`` (fen → "1,234.00"), in ``marketplace/templatetags/money.py``."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def thousands(value) -> str:
    """Group thousands with commas and keep the decimals the value has (12345 → 12,345; hours as
    stored, 1234.50 → 1,234.50)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = max(0, -number.as_tuple().exponent)
    return f"{number:,.{places}f}"
