"""A shared cache of the answers anonymous visitors get from the busiest public lists.

The task board page and ``GET /api/v1/tasks`` are what a whole district reads at once, and what
an anonymous visitor sees there depends only on the address, the query string, the language and
the tasks themselves. So, when a shared cache is configured (Redis: ``REDIS_URL``), the answer to
such a request is kept in it and served to the next anonymous visitor without touching the
database or the template engine.

Freshness does not rest on a timeout. Each namespace ("tasks") has a *generation*, a random token
in the cache; every stored answer carries the generation it was built under, and an answer whose
generation is no longer current is never served. Any change to a task (saved, deleted, its slots
taken by a claim, its status moved) replaces the generation after the transaction commits, so the
next request builds a fresh answer. ``PUBLIC_CACHE_SECONDS`` only bounds how long an unused answer
occupies memory.

Only requests that carry neither a session cookie nor an ``Authorization`` header are served from
or stored in the cache, so nothing personal (a staff member's drafts, a name in the navigation)
can be stored or shown to somebody else. Only 200 answers that set no cookie are stored. If the
cache is unreachable, requests are answered as if there were no cache.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import get_language_from_request

logger = logging.getLogger(__name__)

# Headers of the stored answer that are sent again; the rest are added on the way out as usual.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options")


def _generation_key(namespace: str) -> str:
    return f"pubcache:{namespace}:generation"


def enabled() -> bool:
    return settings.PUBLIC_CACHE_SECONDS > 0


def bump(namespace: str) -> None:
    """After the current transaction commits, make every stored answer of ``namespace`` stale."""
    if not enabled():
        return

    def replace():
        try:
            cache.set(_generation_key(namespace), secrets.token_hex(8), None)
        except Exception:  # a cache outage must not fail the write that caused the bump
            logger.warning("public cache: could not renew the %s generation", namespace, exc_info=True)

    transaction.on_commit(replace)


class PublicCacheMiddleware:
    """Serves and stores anonymous GET answers of the paths in ``settings.PUBLIC_CACHE_PATHS``.

    It sits just after WhiteNoise, so a hit skips sessions, authentication and the view; the
    security middleware around it still adds its headers to every answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = dict(settings.PUBLIC_CACHE_PATHS)

    def __call__(self, request):
        namespace = self.paths.get(request.path_info)
        if (
            namespace is None
            or not enabled()
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return self.get_response(request)
        language = get_language_from_request(request)
        query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
        key = f"pubcache:{namespace}:{language}:{request.method}:{request.path_info}?{query}"
        generation_key = _generation_key(namespace)
        try:
            found = cache.get_many([generation_key, key])
            generation = found.get(generation_key)
            if generation is None:
                generation = secrets.token_hex(8)
                if not cache.add(generation_key, generation, None):
                    generation = cache.get(generation_key)
        except Exception:
            logger.warning("public cache unreachable; answering without it", exc_info=True)
            return self.get_response(request)
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
            _, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
            try:
                cache.set(key, (generation, response.status_code, headers, response.content), settings.PUBLIC_CACHE_SECONDS)
            except Exception:
                logger.warning("public cache: could not store %s", key, exc_info=True)
        return response
