"""The pages a person clicks through, in Chinese first and in English."""

import pytest
from django.test import Client

from accounts.models import Membership, Organization, User
from tests.conftest import browser
from tests.factories import OrganizationFactory, valid_credit_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, expected", [("zh-hans", "社区集市"), ("en", "Community Market")])
def test_home_page_speaks_the_visitors_language(community, language, expected):
    page = browser(language=language).get("/")
    assert page.status_code == 200
    assert expected in page.content.decode()
    assert "锣旗寺社区" in page.content.decode()


def test_chinese_is_the_default_without_a_preference(community):
    page = Client().get("/")
    assert 'lang="zh-hans"' in page.content.decode()
    assert "登录" in page.content.decode()


def test_the_language_switch_turns_the_site_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/accounts/register/", "/communities/", "/organizations/"],
)
def test_public_pages_render_for_anonymous_visitors(path):
    assert browser().get(path).status_code == 200


def test_registering_from_the_page_logs_the_person_in():
    client = browser()
    response = client.post(
        "/accounts/register/",
        {"username": "zhaoxiaoyu", "display_name": "赵小雨", "password": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    assert User.objects.get(username="zhaoxiaoyu").display_name == "赵小雨"


def test_the_register_page_shows_a_taken_name_next_to_the_field(outsider):
    response = browser(language="en").post(
        "/accounts/register/",
        {"username": "outsider", "display_name": "", "password": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    assert response.status_code == 400
    assert "already taken" in response.content.decode()
    assert User.objects.count() == 1


def test_the_register_page_refuses_a_weak_password_in_chinese():
    response = browser().post("/accounts/register/", {"username": "abc", "password": "123", "password2": "123"})
    assert response.status_code == 400
    assert "密码" in response.content.decode()
    assert not User.objects.filter(username="abc").exists()


def test_login_page_logs_in_and_repeated_failures_lock_out(outsider):
    client = browser()
    for _ in range(4):
        assert client.post("/accounts/login/", {"username": "outsider", "password": "nope"}).status_code == 200
    assert client.post("/accounts/login/", {"username": "outsider", "password": "nope"}).status_code == 429
    locked = client.post("/accounts/login/", {"username": "outsider", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_page_accepts_the_right_password(outsider):
    client = browser()
    response = client.post("/accounts/login/", {"username": "outsider", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_profile_page_saves_skills(outsider):
    client = browser(outsider)
    response = client.post("/accounts/profile/", {"display_name": "小王", "phone": "13800000000", "skills": "陪护，维修、摄影", "bio": ""})
    assert response.status_code == 302
    assert sorted(outsider.skills.values_list("name", flat=True)) == sorted(["陪护", "维修", "摄影"])


def test_profile_requires_login():
    response = browser().get("/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_joining_from_the_community_page(community, outsider):
    client = browser(outsider)
    page = client.get(f"/communities/{community.pk}/").content.decode()
    assert "志愿者" in page
    response = client.post(f"/communities/{community.pk}/join/", {"role": "volunteer"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider, community=community, role="volunteer").exists()


def test_joining_as_staff_from_a_forged_form_is_refused(community, outsider):
    response = browser(outsider).post(f"/communities/{community.pk}/join/", {"role": "staff"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=outsider).exists()


def test_staff_see_members_and_add_one_in_their_community(community, staff, outsider):
    client = browser(staff)
    assert "outsider" not in client.get(f"/communities/{community.pk}/").content.decode()
    client.post(f"/communities/{community.pk}/members/", {"person": "outsider", "role": "volunteer"})
    # Not yet a member: invited only; the outsider joins by accepting on their invitations page.
    assert not Membership.objects.filter(user=outsider, community=community).exists()
    invitation = outsider.community_invitations.get()
    browser(outsider).post(f"/accounts/invitations/{invitation.pk}/accept/")
    assert Membership.objects.filter(user=outsider, community=community, role="volunteer").exists()
    assert "outsider" in client.get(f"/communities/{community.pk}/").content.decode()


def test_staff_of_another_community_cannot_add_members_from_the_page(community, other_staff, outsider):
    response = browser(other_staff).post(f"/communities/{community.pk}/members/", {"person": "outsider", "role": "staff"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()


def test_residents_do_not_see_the_member_list(community, resident, staff):
    from tests.factories import MembershipFactory

    MembershipFactory(community=community, role="volunteer", user__username="lijianguo", user__display_name="李建国")
    assert "李建国" in browser(staff).get(f"/communities/{community.pk}/").content.decode()
    assert "李建国" not in browser(resident).get(f"/communities/{community.pk}/").content.decode()


def test_registering_an_organisation_from_the_page(outsider, community):
    response = browser(outsider).post(
        "/organizations/new/", {"name": "原集社区发展中心", "kind": "social_org", "credit_code": valid_credit_code(9), "community": community.pk}
    )
    org = Organization.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/organizations/{org.pk}/"
    assert org.status == "pending" and org.community == community


def test_the_organisation_form_explains_a_bad_credit_code(outsider):
    response = browser(outsider).post("/organizations/new/", {"name": "x", "kind": "charity", "credit_code": "91350100M000100Y44"})
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode()
    assert not Organization.objects.exists()


def test_staff_verify_from_the_organisation_page(staff, community):
    org = OrganizationFactory(status="pending", community=community)
    client = browser(staff)
    assert "审核" in client.get(f"/organizations/{org.pk}/").content.decode() or "认证" in client.get(f"/organizations/{org.pk}/").content.decode()
    client.post(f"/organizations/{org.pk}/verify/")
    org.refresh_from_db()
    assert org.status == "verified"


def test_other_community_staff_get_403_when_verifying_from_a_page(other_staff, community):
    org = OrganizationFactory(status="pending", community=community)
    assert browser(other_staff).post(f"/organizations/{org.pk}/verify/").status_code == 403
    org.refresh_from_db()
    assert org.status == "pending"


def test_a_pending_organisation_page_is_404_for_the_public(community):
    org = OrganizationFactory(status="pending", community=community)
    assert browser().get(f"/organizations/{org.pk}/").status_code == 404


def test_a_missing_page_is_a_friendly_404():
    response = browser(language="en").get("/communities/424242/")
    assert response.status_code == 404
    assert "does not exist" in response.content.decode()


def test_forms_are_protected_by_csrf(outsider, community):
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    assert client.post(f"/communities/{community.pk}/join/", {"role": "resident"}).status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_organisation_page_shows_its_score_and_hours(community):
    from decimal import Decimal

    from orders.models import Claim, Review
    from tests.factories import UserFactory

    org = OrganizationFactory(status="verified", community=community)
    page = browser(language="en").get(f"/organizations/{org.pk}/").content.decode()
    assert "0 reviews" in page
    # Two delivered services by the organisation's members, one reviewed with 5 stars.
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.models import Task

    start = timezone.now() - timedelta(days=3)
    task = Task.objects.create(
        community=community, title="t", category="other", starts_at=start, ends_at=start + timedelta(hours=2),
        location="x", slots=2, slots_taken=2, created_by=UserFactory(),
    )
    for hours in ("1.50", "2.00"):
        claim = Claim.objects.create(task=task, user=UserFactory(), organization=org, status="verified", credited_hours=Decimal(hours), hours=Decimal(hours))
    Review.objects.create(claim=claim, provider=claim.user, organization=org, author=UserFactory(), stars=5)
    page = browser(language="en").get(f"/organizations/{org.pk}/").content.decode()
    # #16: the plain average is shown (one 5★ review reads 5.00★), not the smoothed 4.17 that orders lists
    assert "3.50" in page and "5.00★" in page and "4.17" not in page and "1 review" in page
