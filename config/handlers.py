"""Error pages for the whole site. Under /api/ they answer in the contract's JSON shape instead."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _respond(request, status: int, code: str, message: str):
    if _wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _respond(request, 400, "bad_request", _("The request was malformed."))


def permission_denied(request, exception=None):
    return _respond(request, 403, "permission_denied", _("You are not allowed to do this."))


def page_not_found(request, exception=None):
    return _respond(request, 404, "not_found", _("This page does not exist."))


def server_error(request):
    # Rendered without the request context on purpose: whatever broke must not break this page too.
    if _wants_json(request):
        return JsonResponse({"detail": _("Something went wrong on our side. Please try again later."), "code": "server_error"}, status=500)
    return render(request, "500.html", status=500)
