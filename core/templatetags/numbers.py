"""Numbers as people read them: ``{{ 12345|thousands }}`` → 12,345; ``{{ 1.5|thousands }}`` → 1.5.

Money has its own filter, ``yuan`` (fen → "1,234.00"), in ``marketplace/templatetags/money.py``."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def thousands(value) -> str:
    """Group thousands with commas; keep the decimals a value has (hours: 2.50 → 2.5, 3.00 → 3)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"
