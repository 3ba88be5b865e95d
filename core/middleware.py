"""Project middleware."""

from axes.middleware import AxesMiddleware

from core.handlers import bad_request


class AxesPageLockoutMiddleware(AxesMiddleware):
    """django-axes' lockout page, for pages only.

    The API answers a lockout itself with the contract's JSON 429 (``rate_limited``); axes' own
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
