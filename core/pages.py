"""Helpers shared by the HTML views of every app: how a domain error is shown on a page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import ApplicationError


def safe_next(request, default: str, *, param: str = "next") -> str:
    """Where a page may send the visitor back to: the ``next`` the request carries (POST, then GET)
    if it stays on this site, else ``default``. Every page that honours ``next`` reads it here, so
    ``next=//evil.example`` or ``https://evil.example`` never sends anyone off-site."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# The API names some inputs by id (``beneficiary_id``); the pages' forms by the person (``beneficiary``).
FIELD_ALIASES = {"beneficiary_id": "beneficiary"}


def add_error_to_form(form, exc: ApplicationError) -> None:
    """Show a service's refusal next to the input it is about (or at the top of the form), and the
    other refusals it carries (``exc.also``) next to theirs: every error at once."""
    for error in [exc, *exc.also]:
        field = error.field if error.field in form.fields else FIELD_ALIASES.get(error.field)
        field = field if field in form.fields else None
        if field is not None and field in form.errors:
            continue  # the form's own error there says it already
        form.add_error(field, str(error.message))


def error_page(request, exc: ApplicationError) -> HttpResponse:
    """A page for a refused action that has no form to redisplay, with the error's status code.
    The page itself says what went wrong (once: no flash message repeating it)."""
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
