import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership, OrganizationMember
from tests.factories import (
    CommunityFactory,
    DistrictFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationMemberFactory,
    StreetFactory,
    UserFactory,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def photo(name="低保证明.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def lei(community):
    """雷大哥, a resident of the community."""
    return MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__username="lei", user__display_name="雷大哥").user


@pytest.fixture
def agency(community):
    return OrganizationFactory(community=community, name="重庆暖洋洋社会工作服务中心")


@pytest.fixture
def social_worker(agency):
    return OrganizationMemberFactory(organization=agency, role=OrganizationMember.Role.MEMBER, user__username="gao", user__display_name="高合枫").user


@pytest.fixture
def other_worker(community):
    org = OrganizationFactory(community=community, name="幸福加社工中心")
    return OrganizationMemberFactory(organization=org, role=OrganizationMember.Role.ADMIN, user__username="other_worker").user


@pytest.fixture
def far_agency(db):
    street = StreetFactory(district=DistrictFactory(name="渝北区"), name="龙溪街道")
    return OrganizationFactory(community=CommunityFactory(street=street), name="渝北社工中心")


@pytest.fixture
def pending_agency(community):
    return OrganizationFactory(community=community, name="新扬社工", status="pending")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture(autouse=True)
def _notifications_are_written(monkeypatch):
    """Notifications are written after the commit, and a test's transaction never commits: here
    the after-commit work runs at once, so a test reads what the person was told."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
