"""Nobody is pulled into a community (or made staff) without consent: staff invite, the person
accepts or declines (#19.5, docs/security.md)."""



from accounts.models import CommunityInvitation, Membership, Notification
from tests.conftest import browser, error_of


# --- 5. Nobody is pulled into a community without consent ------------------------------------------
def test_staff_only_invite_an_outsider_and_nothing_changes_until_they_accept(
    api, staff, community, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "staff"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "invited"
    assert not Membership.objects.filter(user=outsider).exists()
    # The invited person is told, and sees the invitation in their list and on their page.
    note = Notification.objects.get(user=outsider)
    assert note.kind == "community_invitation" and note.url == "/accounts/invitations/"
    listed = api(outsider).get("me/invitations").json()
    assert [i["id"] for i in listed["items"]] == [body["invitation_id"]]
    assert listed["items"][0]["community_id"] == community.pk and listed["items"][0]["role"] == "staff"
    assert community.name in browser(outsider).get("/accounts/invitations/").content.decode()

    accepted = api(outsider).post(f"invitations/{body['invitation_id']}/accept")
    assert accepted.status_code == 201
    assert accepted.json()["role"] == "staff" and accepted.json()["community_id"] == community.pk
    assert Membership.objects.filter(user=outsider, community=community, role="staff").exists()
    # Answered: it leaves the list, and a second accept is refused.
    assert api(outsider).get("me/invitations").json()["count"] == 0
    assert error_of(api(outsider).post(f"invitations/{body['invitation_id']}/accept")) == (409, "invitation_answered")


def test_a_declined_invitation_changes_nothing(api, staff, community, outsider):
    invitation_id = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "resident"}).json()["invitation_id"]
    response = api(outsider).post(f"invitations/{invitation_id}/decline")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert error_of(api(outsider).post(f"invitations/{invitation_id}/accept")) == (409, "invitation_answered")
    assert not Membership.objects.filter(user=outsider).exists()


def test_only_the_invited_person_can_answer_an_invitation(api, staff, community, outsider, volunteer):
    invitation_id = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "resident"}).json()["invitation_id"]
    assert error_of(api(staff).post(f"invitations/{invitation_id}/accept")) == (404, "invitation_not_found")
    assert error_of(api(volunteer).post(f"invitations/{invitation_id}/decline")) == (404, "invitation_not_found")
    assert CommunityInvitation.objects.get(pk=invitation_id).status == "pending"


def test_staff_cannot_make_another_communitys_staff_their_own_staff(api, staff, community, other_staff):
    response = api(staff).post(f"communities/{community.pk}/members", {"user_id": other_staff.pk, "role": "staff"})
    assert response.status_code == 202
    assert not Membership.objects.filter(user=other_staff, community=community).exists()


def test_an_invitation_lapses_when_the_inviter_is_no_longer_staff_there(api, staff, community, outsider):
    invitation_id = api(staff).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "staff"}).json()["invitation_id"]
    Membership.objects.filter(user=staff, community=community, role="staff").delete()
    assert error_of(api(outsider).post(f"invitations/{invitation_id}/accept")) == (409, "invitation_lapsed")
    assert not Membership.objects.filter(user=outsider).exists()


def test_staff_give_a_member_of_their_community_another_role_at_once(api, staff, community, resident):
    response = api(staff).post(f"communities/{community.pk}/members", {"user_id": resident.pk, "role": "volunteer"})
    assert response.status_code == 201 and response.json()["role"] == "volunteer"


def test_the_superuser_still_adds_at_once(api, superuser, community, outsider):
    response = api(superuser).post(f"communities/{community.pk}/members", {"user_id": outsider.pk, "role": "resident"})
    assert response.status_code == 201
    assert Membership.objects.filter(user=outsider, community=community).exists()


def test_the_staff_page_invites_through_the_same_service(staff, community, outsider):
    response = browser(staff, language="en").post(f"/communities/{community.pk}/members/", {"person": "outsider", "role": "staff"}, follow=True)
    assert "invited" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    invitation = CommunityInvitation.objects.get(user=outsider)
    browser(outsider).post(f"/accounts/invitations/{invitation.pk}/decline/")
    assert CommunityInvitation.objects.get(pk=invitation.pk).status == "declined"


