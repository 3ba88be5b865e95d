"""The Content-Security-Policy every answer carries: our own scripts, styles and images only.

No inline script anywhere (templates hold none: behaviour lives in ``static/js/``), no other
host, no framing. Pages that need more say so on their response (``allow``): the donate page
adds Stripe.js's host, only when donations are set up. Swagger UI at ``/api/v1/docs`` is served
from django-ninja's own static files, so it needs nothing extra.

Error pages from 500 up (standalone on purpose, with no static files) keep their few inline
style attributes; they carry no user content and still run no script.
"""

from urllib.parse import urlsplit

BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def allow(response, **sources: list[str]) -> None:
    """Add sources to this response's policy: ``allow(response, script_src=["https://js.stripe.com"])``."""
    extra = getattr(response, "csp_extra", {})
    for directive, values in sources.items():
        extra.setdefault(directive.replace("_", "-"), []).extend(values)
    response.csp_extra = extra


def origin_of(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_stripe(response, stripe_js_url: str) -> None:
    """What Stripe.js needs (its script, its card and 3-D Secure frames, its API), on one page."""
    origin = origin_of(stripe_js_url)
    if origin is None:
        return
    frames, connects = [origin], [origin]
    if origin == "https://js.stripe.com":
        frames.append("https://hooks.stripe.com")
        connects.append("https://api.stripe.com")
    allow(response, script_src=[origin], frame_src=frames, connect_src=connects)


def policy_for(response) -> str:
    policy = {name: list(values) for name, values in BASE_POLICY.items()}
    if response.status_code >= 500:
        policy["style-src"].append("'unsafe-inline'")
    for directive, values in getattr(response, "csp_extra", {}).items():
        current = [v for v in policy.get(directive, []) if v != "'none'"]
        policy[directive] = current + [v for v in values if v not in current]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(response)
        return response
