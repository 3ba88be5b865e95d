"""A label and its value: "办理方式：社区服务站" in Chinese, "How to apply: …" in English.

A colon typed after a translated label is half-width in both languages; `{% colon %}` gives the
separator each language writes (the full-width "：" in Chinese).
"""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    return pgettext("between a label and its value", ": ")
