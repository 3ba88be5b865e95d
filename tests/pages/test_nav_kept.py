"""The navigation each process keeps per kind (``{% site_nav %}``, core/templatetags/sitenav.py)
is, to the byte, what ``partials/nav.html`` draws for that person on that page: their own name,
unread count, CSRF token and address put in the kept drawing's places, escaped the same way."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from accounts.models import Membership, Notification
from tests.conftest import browser
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

KEPT = Template("{% load sitenav %}{% site_nav %}")
DRAWN = Template('{% include "partials/nav.html" %}')


def same_token(html: str) -> str:
    """Each drawing asks for the CSRF token anew and gets it masked anew: compare all but that
    (the second test shows the token put in works)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', 'name="csrfmiddlewaretoken" value="T"', html)


def both(user, path: str, language: str = "zh-hans") -> tuple[str, str]:
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    request.COOKIES = {}
    with translation.override(language):
        context = RequestContext(request, {})
        kept = [same_token(KEPT.render(context)) for _ in range(2)]  # drawn, then taken from what was kept
        drawn = same_token(DRAWN.render(context))
    assert kept[0] == kept[1]
    return kept[1], drawn


def test_the_kept_navigation_is_what_the_template_draws_for_every_kind_of_person(community, other_community, staff, volunteer, resident, superuser):
    odd = UserFactory(display_name='<b>"张&三"</b>')
    MembershipFactory(user=odd, community=other_community, role=Membership.Role.VOLUNTEER)
    Notification.objects.create(user=odd, kind="x", message="m")
    Notification.objects.create(user=volunteer, kind="x", message="m")
    paths = ["/", "/claims/", "/tasks/?q=<x>&a=1 2", f"/communities/{community.pk}/workbench/", "/points/", "/resources/"]
    for user in (AnonymousUser(), staff, volunteer, resident, superuser, odd):
        for path in paths:
            for language in ("zh-hans", "en"):
                kept, drawn = both(user, path, language)
                assert kept == drawn, (user, path, language)
    kept, _drawn = both(odd, "/tasks/?q=<x>")
    assert "&lt;b&gt;&quot;张&amp;三&quot;&lt;/b&gt;" in kept and "<b>" not in kept
    assert "next=/tasks/%3Fq%3D%253Cx%253E" in kept and "<x>" not in kept  # this page's own address


def test_a_page_names_the_person_their_unread_count_and_a_working_log_out_form(community, volunteer):
    Notification.objects.create(user=volunteer, kind="x", message="m")
    client = browser(volunteer)
    for _ in range(2):
        html = client.get("/claims/").content.decode()
        assert volunteer.shown_name in html
        assert 'data-unread>1</span>' in html
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    client.handler.enforce_csrf_checks = True
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/claims/").status_code == 302  # signed out: to the login page
