import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, Community, Membership, Organization, OrganizationMember, OrganizationStatusChange, User
from core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.factories import OrganizationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def test_registration_creates_an_account_that_can_log_in():
    user = services.user_register(username="lijianguo", password="a-long-passphrase", display_name="李建国")
    assert user.check_password("a-long-passphrase")
    assert str(user) == "李建国"


def test_registration_refuses_a_name_taken_in_another_case():
    UserFactory(username="Zhang")
    with pytest.raises(Conflict) as exc:
        services.user_register(username="zhang", password="a-long-passphrase")
    assert exc.value.code == "username_taken"
    assert User.objects.count() == 1


def test_registration_refuses_a_weak_password_and_writes_nothing():
    with pytest.raises(ValidationFailed) as exc:
        services.user_register(username="newbie", password="12345678")
    assert exc.value.code == "weak_password"
    assert not User.objects.filter(username="newbie").exists()


def test_profile_update_keeps_skills_as_tags():
    user = UserFactory()
    services.profile_update(actor=user, display_name="小雨", phone="+86 138-0000-0000", skills=["陪护", "维修", "陪护", " "])
    user.refresh_from_db()
    assert sorted(user.skills.values_list("name", flat=True)) == ["维修", "陪护"]
    assert user.phone == "+86 138-0000-0000"


def test_profile_update_refuses_letters_in_a_phone_number():
    user = UserFactory(phone="")
    with pytest.raises(ValidationFailed) as exc:
        services.profile_update(actor=user, display_name="x", phone="call me")
    assert exc.value.code == "invalid_phone"
    user.refresh_from_db()
    assert user.phone == ""


def test_only_the_district_admin_creates_communities(staff, superuser):
    with pytest.raises(PermissionDenied):
        services.community_create(actor=staff, name="新社区", street="观音桥街道", district="江北区")
    community = services.community_create(actor=superuser, name="新社区", street="观音桥街道", district="江北区")
    assert (community.street.name, community.street.district.name) == ("观音桥街道", "江北区")
    assert Community.objects.filter(name="新社区").count() == 1


def test_a_community_cannot_be_created_twice_in_one_street(superuser):
    services.community_create(actor=superuser, name="新社区", street="观音桥街道", district="江北区")
    with pytest.raises(Conflict) as exc:
        services.community_create(actor=superuser, name="新社区", street="观音桥街道", district="江北区")
    assert exc.value.code == "community_exists"


def test_a_person_may_be_resident_and_volunteer_but_join_each_role_once(community, outsider):
    services.membership_join(actor=outsider, community=community, role="resident")
    services.membership_join(actor=outsider, community=community, role="volunteer")
    with pytest.raises(Conflict) as exc:
        services.membership_join(actor=outsider, community=community, role="volunteer")
    assert exc.value.code == "already_member"
    assert Membership.objects.filter(user=outsider).count() == 2


@pytest.mark.parametrize("role", ["staff", "admin", "", "居民"])
def test_nobody_joins_as_staff_or_an_unknown_role(community, outsider, role):
    with pytest.raises(ValidationFailed) as exc:
        services.membership_join(actor=outsider, community=community, role=role)
    assert exc.value.code == "invalid_role"
    assert not Membership.objects.filter(user=outsider).exists()


def test_staff_appoint_staff_in_their_own_community_only(staff, community, other_community, outsider):
    services.membership_join(actor=outsider, community=community, role="resident")
    membership = services.membership_add(actor=staff, community=community, user=outsider, role="staff")
    assert membership.role == "staff"
    with pytest.raises(PermissionDenied):
        services.membership_add(actor=staff, community=other_community, user=outsider, role="staff")
    assert not Membership.objects.filter(community=other_community).exists()


def test_registering_an_organisation_makes_the_caller_its_admin(outsider):
    org = services.organization_create(actor=outsider, name="原集社区发展中心", kind="social_org", credit_code=valid_credit_code(7).lower())
    assert org.status == Organization.Status.PENDING
    assert org.credit_code == valid_credit_code(7)  # stored normalised
    assert OrganizationMember.objects.get(organization=org).role == OrganizationMember.Role.ADMIN


def test_an_organisation_with_a_bad_credit_code_is_not_registered(outsider):
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(actor=outsider, name="假组织", kind="charity", credit_code="91350100M000100Y44")
    assert exc.value.code == "invalid_credit_code"
    assert not Organization.objects.exists()


def test_a_credit_code_registers_one_organisation(outsider):
    services.organization_create(actor=outsider, name="甲", kind="charity", credit_code=valid_credit_code(1))
    with pytest.raises(Conflict) as exc:
        services.organization_create(actor=outsider, name="乙", kind="charity", credit_code=valid_credit_code(1))
    assert exc.value.code == "credit_code_taken"


def test_verification_is_recorded_and_a_retry_changes_nothing(staff, community):
    org = OrganizationFactory(status=Organization.Status.PENDING, community=community)
    services.organization_verify(actor=staff, organization=org)
    services.organization_verify(actor=staff, organization=org)
    org.refresh_from_db()
    assert org.status == Organization.Status.VERIFIED
    assert org.status_changed_by == staff
    changes = list(OrganizationStatusChange.objects.filter(organization=org).values_list("from_status", "to_status"))
    assert changes == [("pending", "verified")]


def test_staff_of_another_community_cannot_verify(other_staff, community):
    org = OrganizationFactory(status=Organization.Status.PENDING, community=community)
    with pytest.raises(PermissionDenied):
        services.organization_verify(actor=other_staff, organization=org)
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING


def test_a_suspended_organisation_can_be_reinstated_with_its_history_kept(staff, community):
    org = OrganizationFactory(status=Organization.Status.VERIFIED, community=community)
    services.organization_suspend(actor=staff, organization=org, reason="资质过期")
    services.organization_verify(actor=staff, organization=org)
    history = list(org.status_changes.values_list("to_status", "reason"))
    assert history == [("suspended", "资质过期"), ("verified", "")]


def test_only_an_org_admin_adds_members(org_admin, outsider, volunteer):
    org = org_admin.organization_memberships.get().organization
    with pytest.raises(PermissionDenied):
        services.organization_member_add(actor=volunteer, organization=org, user=outsider)
    services.organization_member_add(actor=org_admin, organization=org, user=outsider)
    with pytest.raises(Conflict) as exc:
        services.organization_member_add(actor=org_admin, organization=org, user=outsider)
    assert exc.value.code == "already_member"


def test_a_revoked_token_no_longer_authenticates(outsider):
    raw = services.token_create(user=outsider)
    assert services.token_authenticate(raw) == outsider
    services.token_revoke(actor=outsider, raw=raw)
    assert services.token_authenticate(raw) is None


def test_a_token_of_a_deactivated_user_is_refused(outsider):
    raw = services.token_create(user=outsider)
    outsider.is_active = False
    outsider.save()
    assert services.token_authenticate(raw) is None


def test_tokens_are_stored_hashed(outsider):
    raw = services.token_create(user=outsider)
    stored = outsider.api_tokens.get()
    assert raw not in (stored.key_hash, stored.prefix + stored.key_hash)
    assert len(stored.key_hash) == 64


def test_signing_in_is_a_tokens_first_use_and_calls_soon_after_write_nothing(outsider):
    """The admin's "last used" shows the sign-in at once; the calls that follow within 5 minutes
    (a rush of claims) only read."""

    raw = services.token_create(user=outsider)
    token = ApiToken.objects.get(user=outsider)
    assert token.last_used_at is not None and abs((timezone.now() - token.last_used_at).total_seconds()) < 5
    with CaptureQueriesContext(connection) as queries:
        assert services.token_authenticate(raw) == outsider
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert services.token_authenticate(raw) == outsider
        token.refresh_from_db()
        assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_a_server_process_that_handles_no_money_does_not_load_stripe():
    """Every worker paid 34 MB for the Stripe SDK; it is loaded by the first donation only."""

    # Every page, API endpoint and consumer module is imported by the URL configuration and the
    # ASGI application (no database needed: this runs beside the test database, not in it).
    code = "import django, sys; django.setup(); import config.urls, config.asgi; print('stripe' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr[-2000:]
