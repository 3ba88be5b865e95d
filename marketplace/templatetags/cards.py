"""``{% task_card task %}``: a task's card, drawn once per content and kept (issue #18).

A task card shows nothing personal (the same card for every visitor), but drawing one through the
template engine cost about 3 ms, and the board draws 20. So each process keeps the cards it drew,
keyed by everything the card shows (the task's fields, its community's name, its skills, the
language and the time zone): a changed task, a claim that takes a slot, another language all make
another key, so a kept card is never out of date; it is only ever the drawing of the same content.
The oldest are dropped past ``MAX_CARDS``.
"""

import hashlib
import threading
from collections import OrderedDict

from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

register = template.Library()

MAX_CARDS = 2000  # about 2 kB each: a few MB per process
_cards: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def card_key(task) -> str:
    skills = "\x1f".join(skill.name for skill in task.skills.all())
    shown = (
        task.pk, task.title, task.category, task.community.name, task.starts_at.isoformat(), task.ends_at.isoformat(),
        task.location, task.status, task.slots, task.slots_taken, task.points, skills,
        translation.get_language(), timezone.get_current_timezone_name(),
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def render_card(task) -> str:
    key = card_key(task)
    with _lock:
        html = _cards.get(key)
        if html is not None:
            _cards.move_to_end(key)
            return html
    html = render_to_string("partials/task_card.html", {"task": task})
    with _lock:
        _cards[key] = html
        while len(_cards) > MAX_CARDS:
            _cards.popitem(last=False)
    return html


@register.simple_tag
def task_card(task):
    return mark_safe(render_card(task))  # noqa: S308 - the card template escaped it when it was drawn
