"""``{% drawn_once "partials/bar_chart.html" chart=hours_chart caption=caption %}``: a template drawn
with only the values passed, once per content, and kept (core/fragments.py, issue #35).

The dashboards' charts and tables are a few thousand numbers put through the template engine: more
than half of a dashboard's time. Drawn with nothing but the values the tag passes (no request, no
CSRF token, no other context variable), a fragment is a function of those values, the language and
the time zone: they are its key, so another content is another key and a kept fragment is never
out of date. The values must be plain (text, numbers, dates, lists and dicts of them): a model
instance or another object would be keyed by its ``str()``, which does not say everything it
shows, so it is refused with a ``TypeError`` where the page is written, not served stale.
"""

import datetime
import json
from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

from core.fragments import KeptFragments

register = template.Library()

_kept = KeptFragments(2000)  # a chart is 2–10 kB, a district row under 1 kB


def _plain(value):
    if isinstance(value, Promise | Decimal | datetime.date | datetime.datetime):  # a lazy translation: its text in this language
        return str(value)
    if isinstance(value, tuple | set | frozenset):
        return sorted(value, key=repr) if not isinstance(value, tuple) else list(value)
    raise TypeError(f"drawn_once: {type(value).__name__} is not a plain value; pass the values the fragment shows")


def content_key(template_name: str, values: dict) -> tuple:
    return (template_name, json.dumps(values, default=_plain, sort_keys=True, ensure_ascii=False))


@register.simple_tag
def drawn_once(template_name: str, **values):
    html = _kept.drawn(content_key(template_name, values), lambda: render_to_string(template_name, values))
    return mark_safe(html)  # noqa: S308 - drawn by the template engine, which escaped every value
