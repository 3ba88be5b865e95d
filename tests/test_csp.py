"""A strict Content-Security-Policy on every answer, no inline script in any template, Stripe.js
only on the donate page, Swagger UI from our own files (#19.12, docs/security.md)."""


import pytest


# --- 12. A strict Content-Security-Policy everywhere; Swagger UI from our own files ----------------------
def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/tasks/", "/accounts/login/", "/api/v1/tasks", "/api/v1/docs"])
def test_pages_and_answers_carry_a_strict_policy(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no other host
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


def test_no_template_holds_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    from django.conf import settings

    found = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        # An inline script, or an on…= handler among a tag's attributes (not a template variable
        # such as ``{% blocktranslate with online=… %}``, which is no attribute).
        for match in re.finditer(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<[a-zA-Z][^<>]*\s(on[a-z]+)\s*=", text):
            found.append(f"{template.name}: {(match.group(1) or match.group(0)).strip()}")
    assert found == []


def test_stripe_js_is_allowed_only_on_the_donate_page_when_donations_are_set_up(db, client, community, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    donate = _csp(client.get(f"/donate/?community={community.pk}"))
    assert "https://js.stripe.com" in donate["script-src"] and "https://js.stripe.com" in donate["frame-src"]
    assert "stripe" not in client.get("/")["Content-Security-Policy"]
    settings.STRIPE_SECRET_KEY = ""
    assert "stripe" not in client.get(f"/donate/?community={community.pk}")["Content-Security-Policy"]


def test_the_api_docs_load_nothing_from_another_host(db, client):
    import re

    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in a for a in addresses)
    assert [a for a in addresses if a.startswith(("http:", "https:", "//"))] == []
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")  # one of our static files, collected and served by WhiteNoise
