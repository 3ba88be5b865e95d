"""A websocket consumer that listens to one channel-layer group and answers pings."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class GroupConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses decide in ``connect`` whether to accept, then call ``join(group)``."""

    group: str | None = None

    async def join(self, group: str) -> None:
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":  # a keep-alive from the page's script
            await self.send_json({"type": "pong"})
