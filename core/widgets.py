"""Form widgets for long lists that are drawn on busy pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A ``<select>`` drawn in Python rather than one template per ``<option>``.

    The task board's community list has an option per community (120 in a district): Django's
    template-per-option rendering made it the costliest part of the page. The HTML is the same
    as ``forms.Select``'s for single choices without groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), mark_safe(" selected") if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)
