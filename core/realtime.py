"""Live pushes over the channel layer: sent after the transaction commits, never fatal.

Pages and the API must keep working when Redis is down: a failed push is logged and dropped (the
notification itself is already stored, so the person sees it on their next page load).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from redis.exceptions import RedisError

from core.redisguard import breaker

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def board_group(community_id: int | None) -> str:
    """Task-board changes of one community, or of the whole district (None)."""
    return "tasks.all" if community_id is None else f"tasks.community.{community_id}"


def send_now(group: str, message: dict) -> bool:
    """Push now; never raises. With Redis, a push is not even tried while the breaker keeps Redis
    aside (core/redisguard.py): the notification is stored, and a socket gets what it missed when it
    comes back (accounts/consumers.py)."""
    on_redis = bool(settings.REDIS_URL)
    if on_redis and not breaker.usable():
        return False
    try:
        layer = get_channel_layer()
        if layer is None:
            return False
        async_to_sync(layer.group_send)(group, message)
    except Exception as exc:  # Redis down or overloaded: the live push is best effort
        # Only a failure of Redis itself sets Redis aside; any other error (a push attempted from a
        # thread that runs an event loop) is this push's alone, and must not silence the others.
        if on_redis and isinstance(exc, (RedisError, OSError, TimeoutError)):
            breaker.failed(f"live push to {group}", exc)
        else:
            logger.warning("live push to %s failed: %s", group, exc)
        return False
    if on_redis:
        breaker.succeeded()
    return True


def push_after_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: send_now(group, message))
