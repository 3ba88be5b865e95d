"""``{% icon "home" %}``: the line icon of ``partials/icon.html``, drawn once per name and kept.

The icon template is a long chain of ``{% elif name == … %}``; evaluated for every icon of every
page (the navigation alone has eight) it was a tenth of a signed-in page's time (issue #18). The
drawing depends on the name only, so each process draws each name once.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()

_drawn: dict[str, str] = {}


@register.simple_tag
def icon(name) -> str:
    name = str(name)
    svg = _drawn.get(name)
    if svg is None:
        svg = _drawn[name] = render_to_string("partials/icon.html", {"name": name})
    return mark_safe(svg)  # noqa: S308 - drawn by the template, which escapes the name
