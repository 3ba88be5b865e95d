"""长辈模式 (large-text mode): one switch, remembered in a cookie for a year, that makes text and
buttons larger and the home page simpler. A plain link (GET), for the same reasons as the language
links beside it (core/language.py): it changes nothing but a cookie, and a public page holding no
form stays cacheable. The page it came from is shown again."""

from django.http import Http404, HttpResponseRedirect

from core.pages import safe_next

LARGE_TEXT_COOKIE = "large_text"
ONE_YEAR = 365 * 24 * 3600


def large_text_on(request) -> bool:
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


def switch_large_text(request, state: str):
    if state not in ("on", "off"):
        raise Http404
    response = HttpResponseRedirect(safe_next(request, "/"))
    if state == "on":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax")
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response
