"""``{% ledger_row e %}``: a line of "my points"' statement, drawn once per content and kept
(core/fragments.py, issue #35). A ledger line never changes once written; the key is still
everything the row shows (its date, kind, reason, community's name, amount and balance), with the
language and time zone, so a renamed community or another language is another row."""

import json

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.fragments import KeptFragments

register = template.Library()

_rows = KeptFragments(5000)  # about 500 bytes each


@register.simple_tag
def ledger_row(e):
    t = e.transaction
    shown = (
        e.pk, e.created_at.isoformat(), t.kind, t.memo, t.memo_code, json.dumps(t.memo_params, sort_keys=True, default=str),
        e.account.community.name, e.amount, e.balance_after,
    )
    html = _rows.drawn(shown, lambda: render_to_string("points/_ledger_row.html", {"e": e}))
    return mark_safe(html)  # noqa: S308 - the row's template escaped it when it was drawn
