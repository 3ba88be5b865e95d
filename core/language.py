"""The language links in every page's header.

A plain link (GET) rather than Django's POST form: choosing a language changes nothing but a
cookie, a link is the simplest control for older visitors, and a public page that holds no form
and no CSRF token can be kept whole in the shared cache (core/pubcache.py). Django's POST view
at /i18n/setlang/ keeps working for anyone who uses it.
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import check_for_language

from core.pages import safe_next


def switch_language(request, code: str):
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        raise Http404
    response = HttpResponseRedirect(safe_next(request, "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
