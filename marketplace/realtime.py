"""Announce task-board changes (new task, slots taken or freed, cancelled) to open board pages."""

import logging

from django.db import transaction
from django.utils import timezone

from core import pubcache
from core.realtime import board_group, send_now
from marketplace.models import Task

logger = logging.getLogger(__name__)


def announce_task(task_id: int, event: str) -> None:
    """After commit, send the task as the board shows it to its community's and the district's
    board groups, and renew the cached public task lists. Unpublished tasks (drafts, cancelled
    drafts) are never announced."""
    pubcache.bump("tasks")

    def send():
        # An on-commit hook never raises: Django would skip the hooks after it (issue #27).
        try:
            announce()
        except Exception as exc:  # the database gone right after the commit: the board reloads anyway
            logger.warning("task %s not announced: %s", task_id, exc)

    def announce():
        # Never a task that was never published (a draft, or a draft cancelled): its title is private.
        task = Task.objects.filter(pk=task_id, published_at__isnull=False).first()
        if task is None:
            return
        payload = {
            "type": "task.changed",
            "event": event,
            "task": {
                "id": task.pk,
                "community_id": task.community_id,
                "title": task.title,
                "status": task.status,
                "status_label": str(task.get_status_display()),
                "slots": task.slots,
                "slots_taken": task.slots_taken,
                "slots_free": task.slots_free,
                "starts_at": timezone.localtime(task.starts_at).isoformat(timespec="seconds"),
            },
        }
        send_now(board_group(task.community_id), payload)
        send_now(board_group(None), payload)

    transaction.on_commit(send)
