"""``/ws/notifications/``: each new notification of the connected person, as it happens."""

from core.consumers import GroupConsumer
from core.realtime import user_group

UNAUTHENTICATED = 4401


class NotificationConsumer(GroupConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        await self.join(user_group(user.pk))

    async def notification_new(self, event):
        """Only ever sent to this person's own group by accounts.services.notify."""
        await self.send_json({"type": "notification", **event["notification"]})
