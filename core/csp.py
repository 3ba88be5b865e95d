"""The Content-Security-Policy every answer carries, by django-csp: our own scripts, styles and
images only.

The policy itself is ``CONTENT_SECURITY_POLICY`` in config/settings.py. No inline script anywhere
(templates hold none: behaviour lives in ``static/js/``), no other host, no framing. Pages that need
more say so on their response (``allow``): the donate page adds Stripe.js's host, only when
donations are set up. Swagger UI at ``/api/v1/docs`` is served from django-ninja's own static files,
so it needs nothing extra.

Error pages from 500 up (standalone on purpose, with no static files) keep their few inline
style attributes; they carry no user content and still run no script.

What django-csp does not say on its own, this middleware adds through ``get_policy_parts``, the
extension point django-csp documents for it: the 500 pages' styles, and a response's ``allow``
sources, which replace a directive that is ``'none'`` (``frame-src 'none' https://…`` would be
invalid) and extend any other.

Every other answer (nearly all of them, ``/healthz`` and static files included) gets the policy
django-csp built once from the settings: its per-answer path costs about 100 µs (it rebuilds the
policy, and the report-only one, from the settings each time) against 15 µs for the header we
wrote before. So no nonce is offered (no template has inline script to use one) and django-csp's
decorators are not used here: a page asks with ``allow``.
"""

from urllib.parse import urlsplit

from csp.constants import HEADER, NONE, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings


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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self.policy = build_policy()  # CONTENT_SECURITY_POLICY, as django-csp writes it

    def process_request(self, request) -> None:
        return None  # no nonce (see the module's text)

    def process_response(self, request, response):
        if response.status_code < 500 and not getattr(response, "csp_extra", None):
            if HEADER not in response:
                response[HEADER] = self.policy
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        extra = getattr(response, "csp_extra", {})
        if report_only or (response.status_code < 500 and not extra):
            return parts
        base = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        update, replace = dict(parts.update or {}), dict(parts.replace or {})
        if response.status_code >= 500:
            update["style-src"] = [*update.get("style-src", []), UNSAFE_INLINE]
        for directive, values in extra.items():
            if list(base.get(directive) or []) == [NONE]:
                replace[directive] = [*replace.get(directive, []), *values]
            else:
                update[directive] = [*update.get(directive, []), *values]
        parts.update, parts.replace = update or None, replace or None
        return parts
