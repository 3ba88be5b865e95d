"""Template helpers for the volunteer record: star level badges, labels of record lines, and the
volunteer card on the profile page (accounts' template loads it by name, importing nothing)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from records import lines, selectors

register = template.Library()


@register.simple_tag
def star_badge(level: int):
    """★★☆☆☆ with words for screen readers: 2-star volunteer, or not yet a star volunteer."""
    level = int(level or 0)
    if level:
        words = ngettext("%(n)s-star volunteer", "%(n)s-star volunteer", level) % {"n": level}
    else:
        words = _("Not yet a star volunteer (100 hours make one star)")
    return format_html('<span class="star-level" data-star-level="{}"><span aria-hidden="true">{}</span> {}</span>', level, "★" * level + "☆" * (5 - level), words)


@register.filter
def category_label(code: str) -> str:
    return lines.category_label(code)


@register.filter
def beneficiary_label(kind: str) -> str:
    return lines.beneficiary_label(kind)


@register.inclusion_tag("records/volunteer_card.html")
def volunteer_card(user):
    """The profile's volunteer card: number, star level, hours, link to the full record."""
    return {"person": user, "summary": selectors.volunteer_record_summary(user)}
