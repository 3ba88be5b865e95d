import pytest
from tests.browser.test_journeys import CHROMIUM, PHONE, browser, log_in, new_page, shot, world  # noqa

pytestmark = [pytest.mark.django_db(transaction=True)]

@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
@pytest.mark.parametrize("large", [False, True])
def test_footer(browser, live_server, world, lang, large):
    me = new_page(browser, locale=lang)
    log_in(me, live_server.url, "resident_zhang", world["password"])
    if large:
        me.goto(live_server.url + "/large-text/on/?next=/")
    for path in ["/", "/needs/", "/points/", "/accounts/profile/", f"/tasks/{world['task'].pk}/"]:
        me.goto(live_server.url + path)
        me.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        r = me.evaluate("""() => { const f = document.querySelector('.site-footer').getBoundingClientRect();
          const t = document.querySelector('.tabbar').getBoundingClientRect();
          const last = document.querySelector('.site-footer p:last-child').getBoundingClientRect();
          return {lastBottom: last.bottom, tabTop: t.top, tabH: t.height, bodyPad: getComputedStyle(document.body).paddingBottom}; }""")
        print(lang, large, path, r, "COVERED" if r["lastBottom"] > r["tabTop"] else "")
        me.screenshot(path=f"/tmp/people-{lang}-{large}-{path.strip('/').replace('/','-') or 'home'}.png", full_page=True)
