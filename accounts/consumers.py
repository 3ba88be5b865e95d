"""``/ws/notifications/``: each new notification of the connected person, as it happens."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from config.realtime import user_group

UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_new(self, event):
        """Only ever sent to this person's own group by accounts.services.notify."""
        await self.send_json({"type": "notification", **event["notification"]})
