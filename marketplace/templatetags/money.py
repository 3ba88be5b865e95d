"""Money is stored in minor units (fen); people read yuan."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """4800000 → '48,000.00'."""
    if fen in (None, ""):
        return ""
    value = (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))
    return f"{value:,.2f}"
