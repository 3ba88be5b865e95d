"""Project middleware."""

from axes.middleware import AxesMiddleware


class AxesPageLockoutMiddleware(AxesMiddleware):
    """django-axes' lockout page, for pages only.

    The API answers a lockout itself with the contract's JSON 429 (``rate_limited``); axes' own
    middleware would replace that body with an HTML page, so API paths pass straight through."""

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)
        return super().__call__(request)
