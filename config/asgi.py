"""ASGI entry point: HTTP goes to Django, websockets to channels' router.

In front of everything, ``core.bodylimit.BodyLimit`` refuses a request body over
``MAX_REQUEST_BODY_BYTES`` (413) before it is read. Then ``core.pubcache.PublicCache`` answers anonymous reads of the busiest public
lists from Redis when it holds a current copy.

``make serve`` runs this under uvicorn with several worker processes. Websocket routes are added by
``config/routing.py``; a socket authenticates with the session cookie or ``?token=``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before the consumers (which import models) are imported.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from config.ws_auth import SameSiteOriginValidator, SessionOrTokenAuth  # noqa: E402
from core.bodylimit import BodyLimit  # noqa: E402
from core.pubcache import PublicCache  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Outermost: an oversized body is refused before anything reads or stores it.
        "http": BodyLimit(PublicCache(django_asgi_app)),
        "websocket": SameSiteOriginValidator(SessionOrTokenAuth(URLRouter(websocket_urlpatterns))),
    }
)
