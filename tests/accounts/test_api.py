"""The accounts part of the API contract, answer by answer."""

import pytest

from accounts.models import ApiToken, Community, Membership, Organization, OrganizationMember, User
from tests.conftest import error_of
from tests.factories import OrganizationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


# --- register and token ---------------------------------------------------------------------------
def test_register_returns_201_with_id_and_username(api):
    response = api().post("auth/register", {"username": "xiaoyu", "password": "a-long-passphrase", "display_name": "赵小雨"})
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "xiaoyu"
    assert User.objects.get(pk=body["id"]).display_name == "赵小雨"


def test_register_with_a_taken_name_is_409_and_writes_nothing(api, outsider):
    response = api().post("auth/register", {"username": "OUTSIDER", "password": "a-long-passphrase", "display_name": "x"})
    assert error_of(response) == (409, "username_taken")
    assert User.objects.count() == 1


def test_register_with_a_weak_password_is_400_in_the_callers_language(api):
    zh = api().post("auth/register", {"username": "a1", "password": "123", "display_name": ""})
    en = api(language="en").post("auth/register", {"username": "a1", "password": "123", "display_name": ""})
    assert error_of(zh) == (400, "weak_password") == error_of(en)
    assert "too short" in en.json()["detail"]
    assert "太短" in zh.json()["detail"]
    assert not User.objects.exists()


def test_register_with_missing_fields_is_422_with_the_contract_shape(api):
    response = api().post("auth/register", {"username": "a1"})
    assert error_of(response) == (422, "validation_error")
    assert response.json()["detail"]


def test_a_token_opens_me(api, volunteer, community):
    token = api().post("auth/token", {"username": "volunteer", "password": "correct-horse-battery"}).json()["token"]
    response = api().get("me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "volunteer"
    assert body["memberships"] == [{"id": body["memberships"][0]["id"], "community_id": community.pk, "user_id": volunteer.pk, "role": "volunteer"}]
    assert body["organizations"] == []
    assert body["points_balance"] == 0


def test_me_lists_organisations_with_the_role(api, org_admin):
    org = Organization.objects.get()
    assert api(org_admin).get("me").json()["organizations"] == [{"id": org.pk, "role": "admin"}]


def test_wrong_password_is_401_invalid_credentials(api, outsider):
    response = api().post("auth/token", {"username": "outsider", "password": "wrong-password"})
    assert error_of(response) == (401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_repeated_failed_token_requests_are_rate_limited_even_with_the_right_password(api, outsider):
    client = api()
    for _ in range(4):
        assert client.post("auth/token", {"username": "outsider", "password": "wrong"}).status_code == 401
    # The fifth failure reaches the limit (5 in the test settings) and is itself answered 429.
    assert error_of(client.post("auth/token", {"username": "outsider", "password": "wrong"})) == (429, "too_many_attempts")
    locked = client.post("auth/token", {"username": "outsider", "password": "correct-horse-battery"})
    assert error_of(locked) == (429, "too_many_attempts")
    assert not ApiToken.objects.exists()


def test_a_locked_account_can_be_unlocked_by_staff(api, outsider):
    from axes.utils import reset

    client = api()
    for _ in range(6):
        client.post("auth/token", {"username": "outsider", "password": "wrong"})
    reset(username="outsider")  # what the admin's "unlock" and `axes_reset_username` do
    reset(ip="127.0.0.1")
    assert client.post("auth/token", {"username": "outsider", "password": "correct-horse-battery"}).status_code == 200


def test_protected_endpoints_answer_401_without_credentials(api, community):
    for method, path in [("get", "me"), ("post", f"communities/{community.pk}/join"), ("post", "organizations"), ("post", "communities")]:
        response = getattr(api(), method)(path)
        assert error_of(response) == (401, "not_authenticated"), path


def test_a_garbage_or_revoked_token_is_401(api, outsider):
    assert api().get("me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    client = api(outsider)
    assert client.post("auth/token/revoke").status_code == 204
    assert error_of(client.get("me")) == (401, "not_authenticated")


def test_session_auth_needs_csrf_for_writes(community, outsider):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(outsider)
    response = browser.post(f"/api/v1/communities/{community.pk}/join", {"role": "resident"}, content_type="application/json")
    assert error_of(response) == (403, "csrf_failed")
    assert browser.get("/api/v1/me").status_code == 200  # reads need no token
    assert not Membership.objects.filter(user=outsider).exists()


# --- communities ----------------------------------------------------------------------------------
def test_communities_are_listed_for_anyone_with_street_and_district(api, community):
    body = api().get("communities").json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "id": community.pk,
        "name": "锣旗寺社区",
        "street": "郭家沱街道",
        "district": "江北区",
        "street_id": community.street_id,
        "district_id": community.street.district_id,
    }


def test_community_list_pages_and_searches_chinese_substrings(api, superuser):
    for name in ["锣旗寺社区", "唐桂社区", "东原社区"]:
        api(superuser).post("communities", {"name": name, "street": "郭家沱街道", "district": "江北区"})
    assert [c["name"] for c in api().get("communities", {"q": "旗寺"}).json()["items"]] == ["锣旗寺社区"]
    page = api().get("communities", {"page": 2, "page_size": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


@pytest.mark.parametrize("params", [{"page_size": 101}, {"page": 0}, {"page_size": "many"}])
def test_bad_paging_is_422_not_500(api, params):
    assert error_of(api().get("communities", params)) == (422, "validation_error")


def test_only_the_superuser_creates_communities(api, staff, superuser):
    body = {"name": "东海岸社区", "street": "铁山坪街道", "district": "江北区"}
    assert error_of(api(staff).post("communities", body)) == (403, "permission_denied")
    created = api(superuser).post("communities", body)
    assert created.status_code == 201
    assert created.json()["street"] == "铁山坪街道" and created.json()["district"] == "江北区"
    assert Community.objects.filter(name="东海岸社区").count() == 1


def test_blank_community_names_are_400(api, superuser):
    response = api(superuser).post("communities", {"name": "  ", "street": "铁山坪街道", "district": "江北区"})
    assert error_of(response) == (400, "required")
    assert not Community.objects.exists()


def test_joining_gives_201_and_joining_again_409(api, community, outsider):
    client = api(outsider)
    first = client.post(f"communities/{community.pk}/join", {"role": "volunteer"})
    assert first.status_code == 201
    assert first.json() == {"id": first.json()["id"], "community_id": community.pk, "user_id": outsider.pk, "role": "volunteer"}
    assert error_of(client.post(f"communities/{community.pk}/join", {"role": "volunteer"})) == (409, "already_member")


def test_joining_as_staff_or_a_made_up_role_is_400(api, community, outsider):
    for role in ["staff", "mayor"]:
        assert error_of(api(outsider).post(f"communities/{community.pk}/join", {"role": role})) == (400, "invalid_role")
    assert not Membership.objects.filter(user=outsider).exists()


def test_joining_a_community_that_does_not_exist_is_404(api, outsider):
    assert error_of(api(outsider).post("communities/999999/join", {"role": "resident"})) == (404, "community_not_found")


def test_staff_add_members_in_their_community_and_not_in_another(api, staff, community, other_community, outsider):
    # An outsider is only invited (contract Additions): nothing changes until they accept.
    added = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "staff"})
    assert added.status_code == 202 and added.json()["status"] == "invited"
    assert not Membership.objects.filter(user=outsider).exists()
    refused = api(staff).post(f"communities/{other_community.pk}/members", {"user_id": outsider.pk, "role": "resident"})
    assert error_of(refused) == (403, "permission_denied")
    assert not Membership.objects.filter(community=other_community).exists()


def test_residents_cannot_appoint_members(api, resident, community, outsider):
    response = api(resident).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "staff"})
    assert error_of(response) == (403, "permission_denied")


def test_adding_an_unknown_user_is_404(api, staff, community):
    response = api(staff).post(f"communities/{community.pk}/members", {"user_id": 987654, "role": "resident"})
    assert error_of(response) == (404, "user_not_found")


def test_the_superuser_adds_members_anywhere(api, superuser, other_community, outsider):
    response = api(superuser).post(f"communities/{other_community.pk}/members", {"user_id": outsider.pk, "role": "staff"})
    assert response.status_code == 201


# --- organisations --------------------------------------------------------------------------------
def test_registering_an_organisation_is_201_pending_with_the_caller_as_admin(api, outsider):
    response = api(outsider).post("organizations", {"name": "原集社区发展中心", "kind": "social_org", "credit_code": valid_credit_code(3)})
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    org = Organization.objects.get(pk=response.json()["id"])
    assert org.members.get().user == outsider and org.members.get().role == "admin"


def test_a_malformed_credit_code_is_400_invalid_credit_code(api, outsider):
    response = api(outsider, language="en").post("organizations", {"name": "x", "kind": "charity", "credit_code": "12345"})
    assert error_of(response) == (400, "invalid_credit_code")
    assert "credit code" in response.json()["detail"]
    assert not Organization.objects.exists()


def test_an_unknown_organisation_kind_is_400(api, outsider):
    response = api(outsider).post("organizations", {"name": "x", "kind": "cartel", "credit_code": valid_credit_code(3)})
    assert error_of(response) == (400, "invalid_kind")


def test_staff_verify_organisations_of_their_community(api, staff, community):
    org = OrganizationFactory(status="pending", community=community)
    response = api(staff).post(f"organizations/{org.pk}/verify")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (org.pk, "verified")


def test_staff_of_another_community_get_403_on_verify(api, other_staff, community):
    org = OrganizationFactory(status="pending", community=community)
    assert error_of(api(other_staff).post(f"organizations/{org.pk}/verify")) == (403, "permission_denied")
    org.refresh_from_db()
    assert org.status == "pending"


def test_a_resident_cannot_verify_and_cannot_even_see_a_pending_organisation(api, resident, community):
    org = OrganizationFactory(status="pending", community=community)
    assert error_of(api(resident).post(f"organizations/{org.pk}/verify")) == (404, "organization_not_found")
    assert api(resident).get(f"organizations/{org.pk}").status_code == 404
    assert org.pk not in [o["id"] for o in api(resident).get("organizations").json()["items"]]


def test_an_org_admin_sees_their_pending_organisation_but_cannot_verify_it(api, outsider):
    org = OrganizationFactory(status="pending", created_by=outsider)
    OrganizationMember.objects.create(organization=org, user=outsider, role="admin")
    assert api(outsider).get(f"organizations/{org.pk}").json()["status"] == "pending"
    assert error_of(api(outsider).post(f"organizations/{org.pk}/verify")) == (403, "permission_denied")


def test_org_admin_adds_a_member_once(api, org_admin, outsider):
    org = Organization.objects.get()
    first = api(org_admin).post(f"organizations/{org.pk}/members", {"user_id": outsider.pk})
    assert first.status_code == 201 and first.json()["user_id"] == outsider.pk
    assert error_of(api(org_admin).post(f"organizations/{org.pk}/members", {"user_id": outsider.pk})) == (409, "already_member")


def test_a_plain_member_cannot_add_members(api, org_admin, outsider, volunteer):
    org = Organization.objects.get()
    OrganizationMember.objects.create(organization=org, user=volunteer)
    assert error_of(api(volunteer).post(f"organizations/{org.pk}/members", {"user_id": outsider.pk})) == (403, "permission_denied")
    assert not org.members.filter(user=outsider).exists()


def test_openapi_document_lists_the_contract_paths(api):
    schema = api().get("openapi.json").json()
    paths = set(schema["paths"])
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/communities",
        "/api/v1/communities/{community_id}/join",
        "/api/v1/communities/{community_id}/members",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}/verify",
        "/api/v1/organizations/{organization_id}/members",
    ]:
        assert path in paths, path
    assert api().get("docs").status_code == 200


def test_an_unknown_api_path_is_a_json_404(api):
    response = api().get("no-such-thing")
    assert error_of(response) == (404, "not_found")


def test_malformed_json_is_a_clear_error_not_500(api, outsider):
    response = api(outsider).client.post(
        "/api/v1/organizations", "{not json", content_type="application/json", **api(outsider).headers
    )
    assert response.status_code in (400, 422)
    assert response.json()["code"]


def test_new_users_can_register_and_then_get_a_token(api):
    api().post("auth/register", {"username": "newbie", "password": "a-long-passphrase", "display_name": "新人"})
    assert api().post("auth/token", {"username": "newbie", "password": "a-long-passphrase"}).status_code == 200
    assert UserFactory._meta.model.objects.filter(username="newbie").count() == 1


def test_a_body_that_claims_to_be_multipart_but_is_not_is_400(client):
    # Found by schemathesis: Django's multipart parser raised, and the API answered 500.
    response = client.post("/api/v1/auth/token", '{"username": "", "password": "x"}', content_type="multipart/form-data")
    assert error_of(response) == (400, "malformed_request")


def test_a_null_character_anywhere_in_the_input_is_400_and_nothing_is_written(api, resident, community):
    # Found by probing what schemathesis sends on PostgreSQL, which cannot store NUL in text: it was a 500.
    from marketplace.models import Need

    response = api(resident, language="en").post("needs", {"community_id": community.pk, "title": "楼道灯\x00坏了"})
    assert error_of(response) == (400, "null_character")
    assert (response.json()["field"], response.json()["detail"]) == ("title", "Null characters are not allowed.")
    assert not Need.objects.exists()
    assert error_of(api().post("auth/token", {"username": "a\x00b", "password": "x"})) == (400, "null_character")
    assert error_of(api().get("tasks", {"q": "灯\x00"})) == (400, "null_character")
