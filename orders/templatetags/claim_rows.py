"""``{% my_claim_row c %}``: a row of "my claims", drawn once per content and kept (core/fragments.py, issue #35).

A row is the claim's task, its status, its recorded hours and points, and for a verified claim its
last correction and the form to ask for one: about half a millisecond through the template engine,
and the page draws twenty. The key is everything the row shows, so a changed claim (a new status, a
correction answered) is another key and a kept row is never out of date. The form's CSRF token is
the one thing of the request in a row: the row is drawn with a placeholder, and each page puts its
own token in its place.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.fragments import KeptFragments

register = template.Library()

_rows = KeptFragments(5000)  # about 1.5 kB each
TOKEN = "\x00csrf-token\x00"


@register.simple_tag(takes_context=True)
def my_claim_row(context, c, next_url=""):
    last = c.latest_correction if c.status == "verified" else None
    task = c.task
    shown = (
        c.pk, c.task_id, task.title, task.starts_at.isoformat(), task.community.name, c.status, str(c.hours), c.points_awarded, c.reject_reason,
        None if last is None else (last.pk, last.status, str(last.hours_before), str(last.hours), last.reply), next_url,
    )
    html = _rows.drawn(shown, lambda: render_to_string("claims/_mine_row.html", {"c": c, "next": next_url, "csrf_token": TOKEN}))
    return mark_safe(html.replace(TOKEN, escape(str(context.get("csrf_token", "")))))  # noqa: S308 - escaped when drawn; the token escaped here
