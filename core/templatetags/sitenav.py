"""``{% site_nav %}``: the navigation of ``partials/nav.html``, drawn once per kind and kept.

The navigation is the same for everyone of a kind: the language, the page's menu item and tab,
signed in or not, district admin or not, the workbench they open, staff or not, which "mine" tab,
unread notifications or none. Drawn through the template for every page it cost a signed-in page
about 3 ms of its templates (issue #35: 40 links reversed, 30 translations). So each process draws
each kind once, with stand-ins for what is anybody's own (their name, the number of unread
notifications, the CSRF token of the log-out form, the address the language switch returns to),
and a page puts its own values in the stand-ins' places, escaped as ``{{ }}`` escapes them.

With ``DEBUG`` on it is drawn every time, so an edited ``nav.html`` shows at once.
"""

import secrets
import threading
from collections import OrderedDict

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.template.defaultfilters import urlencode
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_MARK = "cmnav" + secrets.token_hex(6)  # letters and digits only: no filter or escape changes it
NAME, UNREAD, CSRF, PATH = (f"{_MARK}{part}" for part in ("name", "unread", "csrf", "path"))
MAX_KINDS = 200

_drawn: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


class _StandInRequest:
    """What nav.html reads of the request: the address the language switch returns to."""

    def get_full_path(self):
        return PATH


class _StandInUser:
    is_authenticated = True

    def __init__(self, is_superuser: bool):
        self.is_superuser = is_superuser
        self.shown_name = NAME


def _token(context) -> str | None:
    """The page's CSRF token as ``{% csrf_token %}`` would write it; None where it writes nothing."""
    token = context.get("csrf_token")
    return None if not token or token == "NOTPROVIDED" else str(token)


def _draw(context, kind: tuple, nav, signed_in: bool, is_superuser: bool, has_token: bool) -> str:
    values = {"nav_item": context.get("nav_item"), "nav_tab": context.get("nav_tab"), "request": _StandInRequest()}
    if has_token:
        values["csrf_token"] = CSRF
    if signed_in:
        values.update(
            user=_StandInUser(is_superuser),
            nav={"workbench": nav.get("workbench"), "is_staff": nav.get("is_staff"), "mine": nav.get("mine"), "unread": UNREAD if nav.get("unread") else 0},
        )
    else:
        values.update(user=None, nav={})
    html = get_template("partials/nav.html").render(values)
    if settings.DEBUG:
        return html
    with _lock:
        _drawn[kind] = html
        while len(_drawn) > MAX_KINDS:
            _drawn.popitem(last=False)
    return html


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    nav = context.get("nav") or {}
    is_superuser = signed_in and bool(user.is_superuser)
    # Asking for the token is also what makes Django send the CSRF cookie with the page, as the
    # log-out form's {% csrf_token %} does.
    token = _token(context) if signed_in else None
    kind = (
        translation.get_language(), get_script_prefix(), context.get("nav_item"), context.get("nav_tab"), signed_in, is_superuser, token is not None,
        *((nav.get("workbench"), bool(nav.get("is_staff")), nav.get("mine"), bool(nav.get("unread"))) if signed_in else ()),
    )
    with _lock:
        html = _drawn.get(kind)
    if html is None:
        html = _draw(context, kind, nav, signed_in, is_superuser, token is not None)
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    html = html.replace(PATH, conditional_escape(urlencode(path)))
    if signed_in:
        html = (
            html.replace(NAME, render_value_in_context(user.shown_name, context))
            .replace(UNREAD, render_value_in_context(nav.get("unread"), context))
        )
        if token is not None:
            html = html.replace(CSRF, conditional_escape(token))
    return mark_safe(html)  # noqa: S308 - drawn by nav.html, which escapes; the values put in are escaped here
