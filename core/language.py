"""The language links in every page's header.

A plain link (GET) rather than Django's POST form: choosing a language changes nothing but a
cookie, a link is the simplest control for older visitors, and a public page that holds no form
and no CSRF token can be kept whole in the shared cache (core/pubcache.py). Django's POST view
at /i18n/setlang/ keeps working for anyone who uses it.
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language


def switch_language(request, code: str):
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
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
