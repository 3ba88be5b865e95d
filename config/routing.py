"""Websocket routes of every app, gathered in one list for config.asgi."""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from accounts.consumers import NotificationConsumer
from marketplace.consumers import TaskBoardConsumer


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other path: refused with close code 4404, as the boards refuse an unknown community.
    (Without it channels' router raised "No route found", a 500 and a traceback in the log.)"""

    async def connect(self):
        await self.close(code=4404)

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    re_path(r"^ws/communities/(?P<community_id>\d+)/tasks/$", TaskBoardConsumer.as_asgi()),
    path("ws/tasks/", TaskBoardConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),  # last: whatever matched nothing above
]
