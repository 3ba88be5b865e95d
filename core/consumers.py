"""A websocket consumer that listens to one channel-layer group and answers pings."""

import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from core.redisguard import breaker

logger = logging.getLogger(__name__)

# "Try again later": the page's script reconnects (with back-off) and then catches up.
TRY_AGAIN_LATER = 1013


class GroupConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses decide in ``connect`` whether to accept, then call ``join(group)``."""

    group: str | None = None

    async def join(self, group: str) -> None:
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as exc:  # the channel layer's Redis is away: fail soft, the client retries
            if settings.REDIS_URL:
                breaker.failed(f"websocket join {group}", exc)
            else:
                logger.warning("websocket join %s failed: %s", group, exc)
            await self.close(code=TRY_AGAIN_LATER)
            return
        self.group = group
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception as exc:  # gone with Redis anyway
                logger.info("websocket leave %s failed: %s", self.group, exc)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":  # a keep-alive from the page's script
            await self.send_json({"type": "pong"})
