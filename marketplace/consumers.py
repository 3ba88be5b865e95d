"""``/ws/communities/<id>/tasks/`` (and ``/ws/tasks/`` for the whole district): task-board changes.

The board is public, so anyone may listen; only published tasks are ever announced (drafts never),
and a message carries no more than the board page itself shows.
"""

from channels.db import database_sync_to_async

from accounts.models import Community
from core.consumers import GroupConsumer
from core.realtime import board_group

NOT_FOUND = 4404


@database_sync_to_async
def _community_exists(community_id: int) -> bool:
    return Community.objects.filter(pk=community_id).exists()


class TaskBoardConsumer(GroupConsumer):
    async def connect(self):
        raw = self.scope["url_route"]["kwargs"].get("community_id")
        community_id = int(raw) if raw is not None else None
        if community_id is not None and not await _community_exists(community_id):
            await self.close(code=NOT_FOUND)
            return
        await self.join(board_group(community_id))

    async def task_changed(self, event):
        await self.send_json({"type": "task", "event": event["event"], "task": event["task"]})
