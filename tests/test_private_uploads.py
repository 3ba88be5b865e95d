"""Private uploads (bid attachments, spending vouchers) are served only to whoever may read their
record, never by their media address; reward pictures stay public (#19.13, docs/security.md)."""

from datetime import date, timedelta

import pytest

from tests.conftest import browser

# --- 13. Private uploads are served only to whoever may read the record --------------------------------
PDF = b"%PDF-1.4 sealed bid: our price and our staff's names\n"


@pytest.fixture
def on_disk(settings, tmp_path):
    """Uploads on a real disk under a temporary MEDIA_ROOT, as in production (so /media/ could serve them)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


@pytest.fixture
def sealed_bid(on_disk, staff, community):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from marketplace.services import project_create
    from orders.services import bid_submit
    from tests.orders.test_projects import bidder

    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000, bid_deadline=timezone.now() + timedelta(days=3))
    org, admin = bidder(community, "重庆暖洋洋社会工作服务中心")
    bid = bid_submit(actor=admin, project=project, organization=org, amount=500_000, proposal="入户探访",
                     attachment=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"))
    return bid, admin


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def test_a_sealed_bid_attachment_is_not_served_by_its_media_address(sealed_bid, staff, superuser):
    bid, admin = sealed_bid
    assert (bid.attachment.storage.path(bid.attachment.name)).endswith(".pdf")  # it is on disk
    for viewer in (None, staff, superuser, admin):
        assert browser(viewer).get(f"/media/{bid.attachment.name}").status_code == 404


def test_a_bid_attachment_goes_to_the_bidder_and_after_the_deadline_to_staff_only(sealed_bid, staff, other_staff, resident):
    import time_machine

    bid, admin = sealed_bid
    url = f"/projects/bids/{bid.pk}/attachment/"
    response = browser(admin).get(url)
    assert response.status_code == 200 and _body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    for stranger in (None, resident, staff, other_staff):  # sealed: staff too, before the deadline
        assert browser(stranger).get(url).status_code == 404
    with time_machine.travel(bid.project.bid_deadline + timedelta(minutes=1)):
        assert _body(browser(staff).get(url)) == PDF
        assert browser(other_staff).get(url).status_code == 404
        assert browser(resident).get(url).status_code == 404


def test_a_spending_voucher_is_served_through_its_record_not_its_media_address(on_disk, staff, community, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from funds.models import Spending

    # Recorded directly: the fund's balance rules are not what this test is about.
    spending = Spending.objects.create(
        community=community, amount=100, currency="cny", spent_on=date.today(), purpose="购买慰问品", payee="社区超市",
        voucher=SimpleUploadedFile("发票.pdf", PDF), created_by=staff,
    )
    assert browser(resident).get(f"/media/{spending.voucher.name}").status_code == 404
    page = browser(resident).get(f"/communities/{community.pk}/funds/").content.decode()
    url = f"/communities/{community.pk}/funds/spending/{spending.pk}/voucher/"
    assert url in page
    assert _body(browser(resident).get(url)) == PDF
    assert browser().get(f"/communities/{community.pk + 1000}/funds/spending/{spending.pk}/voucher/").status_code == 404


def test_reward_pictures_stay_public(on_disk, community):
    (on_disk / "rewards").mkdir()
    (on_disk / "rewards" / "bag.png").write_bytes(b"\x89PNG picture")
    assert browser().get("/media/rewards/bag.png").status_code == 200
    assert browser().get("/media/rewards/../rewards/bag.png").status_code == 404


