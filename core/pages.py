"""Helpers shared by the HTML views of every app: how a domain error is shown on a page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render

from core.errors import ApplicationError


def add_error_to_form(form, exc: ApplicationError) -> None:
    """Show a service's refusal next to the input it is about (or at the top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def error_page(request, exc: ApplicationError) -> HttpResponse:
    """A page for a refused action that has no form to redisplay, with the error's status code."""
    messages.error(request, str(exc.message))
    return render(request, "error.html", {"error": exc}, status=exc.status)


def perform(request, action, *, success: str, then):
    """Run a service for a POSTed button and come back to ``then`` with a message: the outcome,
    or the refusal in the user's language. Refusals about who may act get the error page."""
    try:
        result = action()
    except ApplicationError as exc:
        if exc.status in (401, 403, 404):
            return error_page(request, exc)
        messages.error(request, str(exc.message))
        return then
    messages.success(request, getattr(result, "message", "") or success)
    return then
