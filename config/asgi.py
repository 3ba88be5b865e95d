"""The application ``make serve`` runs under uvicorn: HTTP through Django's WSGI handler, websockets
through channels, on one address.

In front of HTTP, ``core.bodylimit.BodyLimit`` refuses a request body over ``MAX_REQUEST_BODY_BYTES``
(413) before it is read. Then ``core.pubcache.PublicCache`` answers anonymous reads of the busiest
public lists from Redis when it holds a current copy, on the event loop. Everything else goes to
Django's *WSGI* handler on a pool of ``HTTP_THREADS`` threads (``core.wsgibridge``): one hop per
request instead of the ASGI handler's thread per request and hops per middleware (README,
"Performance").

Websocket routes are added by ``config/routing.py``; a socket authenticates with the session
cookie or ``?token=``.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before the consumers (which import models) are imported.
django_wsgi_app = get_wsgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from config.startup import prepare_worker  # noqa: E402
from config.ws_auth import SameSiteOriginValidator, SessionOrTokenAuth  # noqa: E402
from core.bodylimit import BodyLimit  # noqa: E402
from core.pubcache import PublicCache  # noqa: E402
from core.wsgibridge import WsgiBridge  # noqa: E402

prepare_worker()

application = ProtocolTypeRouter(
    {
        # Outermost: an oversized body is refused before anything reads or stores it.
        "http": BodyLimit(PublicCache(WsgiBridge(django_wsgi_app, threads=settings.HTTP_THREADS))),
        "websocket": SameSiteOriginValidator(SessionOrTokenAuth(URLRouter(websocket_urlpatterns))),
    }
)
