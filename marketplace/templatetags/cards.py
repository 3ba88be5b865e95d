"""``{% task_card task %}``: a task's card, drawn once per content and kept (issue #18).

A task card shows nothing personal (the same card for every visitor), but drawing one through the
template engine cost about 3 ms, and the board draws 20. So each process keeps the cards it drew,
keyed by everything the card shows (the task's fields, its community's name, its skills, the
language and the time zone): a changed task, a claim that takes a slot, another language all make
another key, so a kept card is never out of date; it is only ever the drawing of the same content.
The oldest are dropped past ``MAX_CARDS``.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.fragments import KeptFragments

register = template.Library()

MAX_CARDS = 2000  # about 2 kB each: a few MB per process
_cards = KeptFragments(MAX_CARDS)


def render_card(task) -> str:
    skills = "\x1f".join(skill.name for skill in task.skills.all())
    shown = (
        task.pk, task.title, task.category, task.community.name, task.starts_at.isoformat(), task.ends_at.isoformat(),
        task.location, task.status, task.slots, task.slots_taken, task.points, skills,
    )
    return _cards.drawn(shown, lambda: render_to_string("partials/task_card.html", {"task": task}))


@register.simple_tag
def task_card(task):
    return mark_safe(render_card(task))  # noqa: S308 - the card template escaped it when it was drawn
