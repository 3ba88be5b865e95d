"""The bid form: a refused bid opens at a summary of its errors with links to the fields; withdrawing
a bid asks first and the new form starts from it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import browser

pytestmark = pytest.mark.django_db


# --- A refused bid opens at a summary of its errors; a withdrawal asks first and loses nothing ------------
@pytest.fixture
def open_project(community, staff):
    from accounts.models import OrganizationMember
    from marketplace.services import project_create
    from tests.factories import OrganizationFactory, UserFactory

    org = OrganizationFactory(status="verified", community=community, name="重庆暖洋洋社会工作服务中心")
    admin = UserFactory(username="nuanyangyang")
    OrganizationMember.objects.create(organization=org, user=admin, role="admin")
    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=7))
    return project, org, admin


def test_a_refused_bid_lists_its_errors_at_the_top_with_links_to_the_fields(open_project):
    project, org, admin = open_project
    client = browser(admin)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'action="/projects/{project.pk}/bid/#bid-errors"' in page  # the answer opens at the summary
    response = client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "12000", "proposal": "入户探访"})
    page = response.content.decode()
    summary = page.split('id="bid-errors"', 1)[1].split("</div>", 1)[0]
    assert response.status_code == 400 and 'tabindex="-1"' in page.split('id="bid-errors"', 1)[0][-200:] + summary
    assert '<a href="#bid-amount">' in summary and "投标金额不能超过项目预算" in summary
    assert page.index('id="bid-errors"') < page.index('id="bid-amount"') and ">入户探访</textarea>" in page


def test_withdrawing_a_bid_asks_first_and_the_new_form_starts_from_it(open_project):
    from orders.models import Bid

    project, org, admin = open_project
    client = browser(admin)
    client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "9000.50", "proposal": "入户探访，每周两次", "team": "社工 3 名", "timeline": "三个月"})
    bid = Bid.objects.get()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/bids/{bid.pk}/withdraw/"' in page  # a link to a second look, not a one-tap form
    look = client.get(f"/projects/bids/{bid.pk}/withdraw/")
    assert look.status_code == 200 and "确定撤回这份投标吗？" in look.content.decode()
    bid.refresh_from_db()
    assert bid.status == "submitted"  # looking changes nothing
    assert client.post(f"/projects/bids/{bid.pk}/withdraw/").status_code == 302
    bid.refresh_from_db()
    assert bid.status == "withdrawn"
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'value="9000.50"' in page and ">入户探访，每周两次</textarea>" in page and ">社工 3 名</textarea>" in page and ">三个月</textarea>" in page
    assert f'<option value="{org.pk}" selected>' in page and "表单已填入您撤回的投标内容" in page





def test_the_attachment_of_a_withdrawn_bid_goes_with_the_new_bid_unless_replaced(open_project):
    """#28: withdrawing a bid lost its attachment; the new form keeps it, names it, and sends it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from orders.models import Bid

    project, org, admin = open_project
    client = browser(admin)
    pdf = b"%PDF-1.4 \xe6\x96\xb9\xe6\xa1\x88 plan"
    client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "9000", "proposal": "入户探访", "attachment": SimpleUploadedFile("plan.pdf", pdf)})
    first = Bid.objects.get()
    client.post(f"/projects/bids/{first.pk}/withdraw/")
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "已保留：您撤回的投标的附件" in page and f'name="withdrawn_bid" value="{first.pk}"' in page
    # A refused try keeps carrying it; the next one sends it.
    refused = client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "99999999", "proposal": "入户探访", "withdrawn_bid": first.pk})
    assert refused.status_code == 400 and f'name="withdrawn_bid" value="{first.pk}"' in refused.content.decode()
    client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "8000", "proposal": "入户探访", "withdrawn_bid": first.pk})
    second = Bid.objects.exclude(pk=first.pk).get()
    assert second.status == "submitted" and second.attachment.read() == pdf
    assert client.get(f"/projects/bids/{second.pk}/attachment/").status_code == 200


def test_another_organisations_withdrawn_bid_lends_no_attachment(open_project, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import OrganizationMember
    from orders.models import Bid
    from tests.factories import OrganizationFactory

    project, org, admin = open_project
    other = OrganizationFactory(status="verified", community=community, name="另一家机构")
    OrganizationMember.objects.create(organization=other, user=admin, role="admin")
    client = browser(admin)
    client.post(f"/projects/{project.pk}/bid/", {"organization": other.pk, "amount_yuan": "9000", "proposal": "甲", "attachment": SimpleUploadedFile("a.pdf", b"%PDF-1.4 a")})
    theirs = Bid.objects.get()
    client.post(f"/projects/bids/{theirs.pk}/withdraw/")
    client.post(f"/projects/{project.pk}/bid/", {"organization": org.pk, "amount_yuan": "8000", "proposal": "乙", "withdrawn_bid": theirs.pk})
    assert not Bid.objects.get(organization=org).attachment
