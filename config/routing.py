"""Websocket routes of every app, gathered in one list for config.asgi."""

from django.urls import path, re_path

from accounts.consumers import NotificationConsumer
from marketplace.consumers import TaskBoardConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    re_path(r"^ws/communities/(?P<community_id>\d+)/tasks/$", TaskBoardConsumer.as_asgi()),
    path("ws/tasks/", TaskBoardConsumer.as_asgi()),
]
