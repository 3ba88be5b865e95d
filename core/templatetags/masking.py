"""``{{ name|masked }}``: a name partly masked (张*明), as on service cards and certificates."""

from django import template

from core.masking import mask_name

register = template.Library()


@register.filter
def masked(name) -> str:
    return mask_name(str(name or ""))
