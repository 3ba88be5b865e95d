"""``{% application_row a show_name %}``: a row of an assistance list (the inbox draws up to 60),
drawn once per content and kept (core/fragments.py): the key is everything the row shows."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.fragments import KeptFragments

register = template.Library()

_rows = KeptFragments(5000)  # about 400 bytes each


@register.simple_tag
def application_row(application, show_name=False):
    name = application.applicant.shown_name if show_name else None
    shown = (application.pk, application.tracking_no, application.kind, application.status, application.community.name, application.created_at.isoformat(), name)
    html = _rows.drawn(shown, lambda: render_to_string("relief/_row.html", {"a": application, "show_name": show_name}))
    return mark_safe(html)  # noqa: S308 - the row's template escaped it when it was drawn
