"""The one NinjaAPI object: auth, pagination, and the single place errors become JSON.

Every error leaves here as ``{"detail": "<message in the request's language>", "code": "<stable>"}``
with the status the API contract gives it.
"""

import datetime
import logging
import sys

from django.core.exceptions import SuspiciousOperation
from django.core.validators import ProhibitNullCharactersValidator
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from core.error_codes import CODE_OF_STATUS
from core.errors import ApplicationError, ValidationFailed
from core.handlers import RETRY_AFTER_SECONDS, discard_dead_pooled_connections

logger = logging.getLogger(__name__)


class LocalTimeJSONEncoder(NinjaJSONEncoder):
    """Times in the site's time zone with their offset (2026-11-27T14:30:00+08:00): what a person
    in the community reads, and still exact for a program."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            try:
                local = timezone.localtime(o)
            except OverflowError:  # at the calendar's edge (year 9999) the local time does not exist
                local = o
            if local.utcoffset().total_seconds() % 60:
                # Before time zones, local mean time (+08:05:43) is no ISO 8601 offset (found by
                # schemathesis): such a time goes out in UTC.
                local = o.astimezone(datetime.timezone.utc)
            return local.isoformat(timespec="seconds")
        return super().default(o)


class Utf8JSONRenderer(JSONRenderer):
    encoder_class = LocalTimeJSONEncoder
    # Chinese text as it is, not as \u escapes: half the bytes, and readable in curl.
    json_dumps_params = {"ensure_ascii": False}


def _refuse_null_characters(value, field: str) -> None:
    """PostgreSQL cannot store a NUL character in text, and it was a 500 (found by schemathesis).
    Django's form fields refuse it with this message; the API does the same, for any string."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationFailed(ProhibitNullCharactersValidator.message, code="null_character", field=field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_null_characters(key, field)
            _refuse_null_characters(item, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for item in value:
            _refuse_null_characters(item, field)


class NoNullCharacterParser(Parser):
    """ninja's JSON and query-string parser, refusing NUL characters with a 400 ``null_character``."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        _refuse_null_characters(data, "")
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_null_characters(parsed, "")
        return parsed


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """``<module>_<function>`` as ninja names it, where a router module split into a package
        (``marketplace.api`` → ``marketplace.api.tasks``) names its old module in ``OPERATION_IDS_OF``:
        the published operation ids do not change when a file is split for size."""
        module = operation.view_func.__module__
        module = getattr(sys.modules.get(module), "OPERATION_IDS_OF", module)
        return (module + "_" + operation.view_func.__name__).replace(".", "_")


api = Api(
    renderer=Utf8JSONRenderer(),
    parser=NoNullCharacterParser(),
    title="社区集市 Community Market API",
    version="1",
    description="The public JSON API of 社区集市. Errors are `{detail, code}`; lists are `{items, count}`.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request, status: int, code: str, detail: str, **extra):
    return api.create_response(request, {"detail": str(detail), "code": code, **extra}, status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    extra = {"field": exc.field} if exc.field else {}
    return error_response(request, exc.status, exc.code, exc.message, **extra)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [
        {"loc": [str(part) for part in err.get("loc", [])], "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        for err in exc.errors
    ]
    return error_response(request, 422, "validation_error", _("Some fields are missing or malformed."), errors=errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(request, 401, "not_authenticated", _("Please log in first."))


@api.exception_handler(AuthorizationError)
def on_authorization_error(request, exc):
    return error_response(request, 403, "permission_denied", _("You are not allowed to do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ApplicationError):
        # ninja wraps whatever the body parser raises in "Cannot parse request body": say what it was.
        return on_application_error(request, exc.__cause__)
    code = CODE_OF_STATUS.get(exc.status_code, "invalid" if exc.status_code < 500 else "server_error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(MultiPartParserError)
def on_malformed_body(request, exc):
    # A body that says it is multipart (or form data) but is not: the client's mistake, not ours.
    return error_response(request, 400, "malformed_request", _("The request body could not be read."))


api.exception_handler(SuspiciousOperation)(on_malformed_body)


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    # An id or number longer than the database can hold (found by schemathesis): no such object.
    return error_response(request, 400, "number_too_large", _("A number in the request is too large."))


@api.exception_handler(OperationalError)
def on_database_error(request, exc):
    # The database is unreachable or overloaded: a passing condition the client may retry.
    logger.error("Database error in API %s %s: %s", request.method, request.path, exc)
    discard_dead_pooled_connections()
    response = error_response(request, 503, "service_unavailable", _("The service is briefly unavailable. Please try again shortly."))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


api.exception_handler(InterfaceError)(on_database_error)


@api.exception_handler(Exception)
def on_unexpected_error(request, exc):
    # A bug, not bad input: log it with the stack for us, and tell the client no more than it needs.
    logger.exception("Unhandled error in API %s %s", request.method, request.path)
    return error_response(request, 500, "server_error", _("Something went wrong on our side. Please try again later."))


api.add_router("/", "accounts.api.router")
api.add_router("/", "accounts.assistance.api.router")
api.add_router("/", "points.api.router")
api.add_router("/", "marketplace.api.router")
api.add_router("/", "orders.api.claims.router")
api.add_router("/", "orders.api.reviews.router")
api.add_router("/", "records.api.records.router")
api.add_router("/", "orders.api.corrections.router")
api.add_router("/", "orders.api.tasks.router")
api.add_router("/", "orders.api.projects.router")
api.add_router("/", "records.api.certificates.router")
api.add_router("/", "funds.api.router")
api.add_router("/", "affairs.api.router")
api.add_router("/", "resources.api.router")  # (#33)
api.add_router("/", "budgets.api.router")  # participatory budgets (#34)
api.add_router("/", "points.alliance_api.router")  # points across communities (#34)
api.add_router("/", "reach.api.router")
api.add_router("/", "dashboards.api.router")
api.add_router("/", "relief.api.router")
api.add_router("/", "deliberation.api.router")  # (#32) stewards, meetings, conventions, conduct points
