"""Uploads where a deployment keeps them: the local folder (the embedded default) and an S3 bucket
shared by every app host (core/storage.py). The same tests run against both: a real S3 server on
loopback (moto's), so django-storages, boto3 and the signed addresses are all exercised for real.

What a person notices: a reward picture shows in the points supermarket and loads from the site; a
bid attachment or a spending voucher downloads for whoever may read the record and for no one else;
nothing in the bucket can be fetched without a signature.
"""

import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.conftest import browser

PDF = b"%PDF-1.4 sealed bid: our price and our staff's names\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"picture of a shopping bag" * 10
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible server on loopback for the whole session (moto's, from PyPI)."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] is in requirements-test.txt")
    port = _free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class LocalFolder:
    kind = "local"

    def __init__(self, root):
        self.root = root

    def stored(self, name: str) -> bytes:
        return (self.root / name).read_bytes()


class Bucket:
    kind = "s3"

    def __init__(self, endpoint: str, name: str):
        self.endpoint, self.name = endpoint, name
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                                   aws_access_key_id=KEYS["access_key"], aws_secret_access_key=KEYS["secret_key"])
        self.client.create_bucket(Bucket=name)

    def stored(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=name)["Body"].read()

    def anonymous_status(self, name: str) -> int:
        """What a stranger gets asking the bucket for the object, unsigned."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{self.name}/{urllib.parse.quote(name)}", timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture(params=["local", "s3"])
def media(request, settings, tmp_path):
    """Uploads in a temporary local folder, or in a fresh bucket of the loopback S3 server."""
    if request.param == "local":
        settings.MEDIA_ROOT = tmp_path
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
        return LocalFolder(tmp_path)
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = Bucket(endpoint, f"media-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.s3.MediaStorage", "OPTIONS": {
        "bucket_name": bucket.name, "endpoint_url": endpoint, "region_name": "us-east-1", "addressing_style": "path",
        "signature_version": "s3v4", "default_acl": None, "querystring_expire": 60, "file_overwrite": False, **KEYS,
    }}}
    return bucket


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


@pytest.fixture
def sealed_bid(media, staff, community):
    from marketplace.services import project_create
    from orders.services import bid_submit
    from tests.orders.test_projects import bidder

    project = project_create(actor=staff, community=community, title="助老服务", budget=1_000_000,
                             bid_deadline=timezone.now() + timedelta(days=3))
    org, admin = bidder(community, "重庆暖洋洋社会工作服务中心")
    bid = bid_submit(actor=admin, project=project, organization=org, amount=500_000, proposal="入户探访",
                     attachment=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"))
    return bid, admin


@pytest.mark.django_db
def test_a_reward_picture_shows_in_the_supermarket_and_loads_from_the_site(media, staff, community, resident):
    from points.services import reward_create

    reward = reward_create(actor=staff, community=community, name="环保袋", cost=10, stock=5,
                           picture=SimpleUploadedFile("bag.png", PNG, content_type="image/png"))
    assert media.stored(reward.picture.name) == PNG  # in the folder, or in the bucket
    page = browser(resident).get(f"/communities/{community.pk}/rewards/").content.decode()
    address = f"/media/{reward.picture.name}"
    assert f'src="{address}"' in page  # the site's own address, whatever the storage
    picture = browser().get(address)
    assert picture.status_code == 200 and _body(picture) == PNG
    assert picture["Content-Type"] == "image/png"
    assert browser().get(f"/media/rewards/../{reward.picture.name}").status_code == 404
    assert browser().get("/media/rewards/2026/01/none.png").status_code == 404


@pytest.mark.django_db
def test_a_bid_attachment_downloads_for_the_bidder_only_and_never_by_its_storage_address(sealed_bid, media, staff, resident, superuser):
    bid, admin = sealed_bid
    assert media.stored(bid.attachment.name) == PDF
    url = f"/projects/bids/{bid.pk}/attachment/"
    response = browser(admin).get(url)
    assert response.status_code == 200 and _body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    for stranger in (None, resident, staff):  # sealed: staff too, before the deadline
        assert browser(stranger).get(url).status_code == 404
    for viewer in (None, staff, superuser, admin):
        assert browser(viewer).get(f"/media/{bid.attachment.name}").status_code == 404
    if media.kind == "s3":
        assert media.anonymous_status(bid.attachment.name) == 403  # the bucket gives nothing unsigned


@pytest.mark.django_db
def test_a_spending_voucher_downloads_through_its_record(media, staff, community, resident):
    from funds.models import Spending

    spending = Spending.objects.create(
        community=community, amount=100, currency="cny", spent_on=date.today(), purpose="购买慰问品", payee="社区超市",
        voucher=SimpleUploadedFile("发票.pdf", PDF), created_by=staff,
    )
    assert media.stored(spending.voucher.name) == PDF
    url = f"/communities/{community.pk}/funds/spending/{spending.pk}/voucher/"
    assert url in browser(resident).get(f"/communities/{community.pk}/funds/").content.decode()
    assert _body(browser(resident).get(url)) == PDF
    assert browser(resident).get(f"/media/{spending.voucher.name}").status_code == 404
    assert browser().get(f"/communities/{community.pk + 1000}/funds/spending/{spending.pk}/voucher/").status_code == 404
    if media.kind == "s3":
        assert media.anonymous_status(spending.voucher.name) == 403


@pytest.mark.django_db
def test_a_refused_bid_form_keeps_its_attachment_in_the_storage_for_the_same_person_only(media, staff, community):
    from accounts.models import OrganizationMember
    from orders.services import bid_attachment_discard, bid_attachment_keep, bid_attachment_kept
    from tests.factories import OrganizationFactory

    # Only someone who may bid (an organisation's admin) has a refused form's file kept (#36.4).
    OrganizationMember.objects.create(organization=OrganizationFactory(community=community), user=staff, role="admin")
    token = bid_attachment_keep(actor=staff, upload=SimpleUploadedFile("方案.pdf", PDF))
    assert bid_attachment_kept(actor=staff, token=token).read() == PDF
    other = type(staff).objects.create(username="someone_else")
    assert bid_attachment_kept(actor=other, token=token) is None
    bid_attachment_discard(actor=staff, token=token)
    assert bid_attachment_kept(actor=staff, token=token) is None


@pytest.mark.django_db
def test_with_signed_urls_a_private_download_is_a_short_lived_signed_address(sealed_bid, media, settings, resident):
    if media.kind != "s3":
        pytest.skip("signed addresses are the bucket's: the local folder always streams through the view")
    settings.MEDIA_SIGNED_URLS = True
    bid, admin = sealed_bid
    url = f"/projects/bids/{bid.pk}/attachment/"
    response = browser(admin).get(url)
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"][0].startswith("attachment")
    with urllib.request.urlopen(response["Location"], timeout=10) as download:
        assert download.read() == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
    assert browser(resident).get(url).status_code == 404  # the permission check comes first


@pytest.mark.django_db
def test_a_bucket_that_does_not_answer_gives_a_503_not_a_server_error(settings, staff, community, resident):
    """The bucket's server is down (nothing listens at its address): the picture and the voucher
    are "briefly unavailable, try again" (503 with Retry-After), never the error page of a bug."""
    from botocore.config import Config

    from funds.models import Spending

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.s3.MediaStorage", "OPTIONS": {
        "bucket_name": "media-gone", "endpoint_url": f"http://127.0.0.1:{_free_port()}", "region_name": "us-east-1",
        "addressing_style": "path", "client_config": Config(connect_timeout=1, retries={"mode": "standard", "max_attempts": 1}), **KEYS,
    }}}
    spending = Spending.objects.create(community=community, amount=100, currency="cny", spent_on=date.today(),
                                       purpose="购买慰问品", payee="社区超市", voucher="vouchers/2026/01/gone.pdf", created_by=staff)
    visitor, signed_in = Client(raise_request_exception=False), Client(raise_request_exception=False)
    signed_in.force_login(resident)
    for response in (visitor.get("/media/rewards/2026/01/bag.png"),
                     signed_in.get(f"/communities/{community.pk}/funds/spending/{spending.pk}/voucher/")):
        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0


def test_the_default_storage_follows_the_settings(media):
    """The storage the app writes through is the one configured (a stale cached storage would write
    one host's uploads where the others cannot see them)."""
    name = default_storage.save("bid-drafts/check.txt", SimpleUploadedFile("check.txt", b"hello"))
    assert media.stored(name) == b"hello"
