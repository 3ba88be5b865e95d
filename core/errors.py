"""Domain errors, raised by services and mapped once: to JSON in ``config.api``, to a message in pages.

Each error has a stable ``code`` that clients may rely on (see the API contract) and a human
``message`` that is translated into the request's language when it is shown.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    default_code = "invalid"
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        # The form field the error belongs to, so a page can show it next to the right input.
        self.field = field
        # More refusals found in the same check (a form's other fields): pages show them all at
        # once; the API answers with this one's code.
        self.also: list[ApplicationError] = []
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    """Input that passes the schema but breaks a rule (400)."""

    status = 400
    default_code = "invalid"


class NotAuthenticated(ApplicationError):
    status = 401
    default_code = "not_authenticated"
    default_message = _("Please log in first.")


class PermissionDenied(ApplicationError):
    status = 403
    default_code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFound(ApplicationError, Http404):
    """Raised by every ``<entity>_get_for(viewer, id)`` selector. The API maps it to its JSON 404
    (``ApplicationError`` comes first in the method resolution order); a page that lets it rise
    gets the site's 404 page, exactly as ``Http404`` would."""
    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(ApplicationError):
    """The object's state forbids the action (409)."""

    status = 409
    default_code = "conflict"


class RateLimited(ApplicationError):
    status = 429
    default_code = "too_many_attempts"
    default_message = _("Too many attempts. Please wait a while and try again.")
