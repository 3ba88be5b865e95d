"""Issue #20 in a real browser on a phone: a volunteer downloads the certificate of her service from
her record, and a stranger checks it by the address printed on it."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone

from tests.browser.test_journeys import CHROMIUM, log_in, new_page  # noqa: F401
from tests.browser.test_phone_journeys import Gate, browser  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def served():
    from accounts.models import Membership
    from marketplace.services import TaskFields, task_checkin_code, task_create
    from orders import services
    from points.services import points_budget
    from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

    community = CommunityFactory(name="锣旗寺社区")
    staff = MembershipFactory(community=community, role=Membership.Role.STAFF).user
    volunteer = MembershipFactory(community=community, role="volunteer", user__username="xiaoyu", user__display_name="赵小雨").user
    points_budget(actor=UserFactory(is_superuser=True), community=community, amount=1000)
    start = timezone.now() + timedelta(days=1)
    task = task_create(
        actor=staff, community=community,
        fields=TaskFields(title="社区图书角整理", description="", category="education", starts_at=start, ends_at=start + timedelta(hours=3),
                          location="活动中心", slots=2, points=20, skills=[], beneficiary=None),
    )
    claim = services.claim_create(actor=volunteer, task=task)
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        services.claim_check_in(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
    with time_machine.travel(start + timedelta(hours=2, minutes=30), tick=False):
        services.claim_check_out(actor=volunteer, claim=claim, code=task_checkin_code(actor=staff, task=task)[0])
        services.claim_submit(actor=volunteer, claim=claim, hours="2.5", note="")
        services.claim_verify(actor=staff, claim=claim)
    return {"volunteer": volunteer, "password": PASSWORD}


def test_a_volunteer_downloads_her_certificate_on_a_phone_and_a_stranger_verifies_it(browser, live_server, served):
    from pypdf import PdfReader

    from records.models import Certificate

    base, volunteer, look = live_server.url, served["volunteer"], Gate("zh")
    me = new_page(browser)
    log_in(me, base, "xiaoyu", served["password"])
    me.goto(f"{base}/volunteers/{volunteer.pk}/record/")
    look(me, "certificate-record")
    with me.expect_download() as download:
        me.click("a[href*='/certificate/']")
    pdf = PdfReader(BytesIO(open(download.value.path(), "rb").read()))
    text = "".join(page.extract_text() for page in pdf.pages)
    certificate = Certificate.objects.get(user=volunteer)
    assert "2.50" in text and certificate.code_display in text  # the hours and the code printed on it

    stranger = new_page(browser)  # no account: the address on the certificate is enough
    stranger.goto(f"{base}/certificates/{certificate.code_display}/")
    look(stranger, "certificate-verified")
    page = stranger.inner_text("main")
    assert "赵*雨" in page and "赵小雨" not in page and "2.50" in page
    stranger.goto(f"{base}/certificates/ZZZZ-ZZZZ-ZZZZ-ZZZZ/")
    assert "赵" not in stranger.inner_text("main")  # a forged code tells nothing about anyone
    assert look.problems == [], look.problems
