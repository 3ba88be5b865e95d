"""Project middleware."""

import re

from axes.middleware import AxesMiddleware
from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, get_resolver

from core.handlers import bad_request, null_character, page_not_found


class AxesPageLockoutMiddleware(AxesMiddleware):
    """django-axes' lockout page, for pages only.

    The API answers a lockout itself with the contract's JSON 429 (``too_many_attempts``); axes' own
    middleware would replace that body with an HTML page, so API paths pass straight through."""

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)
        return super().__call__(request)


class NumberTooLargeMiddleware:
    """A page address or filter with a number longer than the database can hold (``/tasks/
    99999999999999999999999/``) is the visitor's mistake: answer 400, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return bad_request(request, exception)
        return None


class ProjectNotFoundPageMiddleware:
    """Under DEBUG (``make run``), a mistyped address shows the project's own 404 page, as people
    see it in production, rather than Django's debug page listing every route. A developer who
    wants the debug page sets ``DEBUG_404=1``. With DEBUG off it does nothing: ``handler404`` does
    the same. It sits after CommonMiddleware, which still adds a missing trailing slash first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = settings.DEBUG and not settings.DEBUG_404

    def __call__(self, request):
        if self.active:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404:
                return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if self.active and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


# Control characters (C0 and DEL). PostgreSQL refuses NUL in any text, so a NUL that reaches a
# query is a server error there; no address or filter of the product needs any of them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ControlCharacterMiddleware:
    """A path with a control character is a 404; a query string whose values hold NUL is a 400
    (the site's page, JSON under /api/), before any view or database sees it (issue #36.6).
    Other control characters in query values (a tab pasted into a search box) pass: every database
    stores them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _CONTROL.search(request.path):
            return page_not_found(request)
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return null_character(request)
        return self.get_response(request)
