"""The member picker: staff find people by name, phone tail or volunteer number, never by a typed
username, and only people of the communities they staff (an exact number finds anyone, masked)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, VolunteerNumber
from marketplace.models import Task
from tests.conftest import browser
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(community):
    user = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__display_name="王秀英", user__phone="13812345678").user
    VolunteerNumber.objects.create(user=user, number="JB00000042")
    return user


def _search(user, q, **params):
    response = browser(user).get("/people/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.json()["results"]


def test_staff_find_a_member_by_name_phone_tail_or_volunteer_number_with_the_phone_masked(staff, wang, community):
    for q in ("秀英", "5678", "JB00000042", "jb00000042", "0042"):
        results = _search(staff, q, community=community.pk)
        assert [r["id"] for r in results] == [wang.pk], q
    label = _search(staff, "王秀英")[0]["label"]
    assert label == "王秀英 · 138****5678 · JB00000042"
    assert "13812345678" not in label


def test_staff_of_another_community_find_nobody_by_name_and_a_full_number_only_masked(other_staff, wang, community):
    assert _search(other_staff, "王秀英") == []
    assert _search(other_staff, "王秀英", community=community.pk) == []
    # Knowing the whole number proves one knows the person: found, with the name masked.
    assert [r["label"] for r in _search(other_staff, "13812345678")] == ["王*英 · 138****5678 · JB00000042"]


def test_a_resident_cannot_browse_neighbours_and_anonymous_gets_401(resident, wang):
    assert _search(resident, "王") == []
    assert browser().get("/people/search/", {"q": "王"}).status_code == 401
    assert browser(resident).get("/people/search/", {"q": "王", "community": "x"}).status_code == 400


def _task_form(community, **overrides):
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = {
        "title": "陪同就医", "category": "elder_care", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "location": "3 栋", "slots": 1, "points": 10,
    }
    return {**form, **overrides}


def test_the_task_form_takes_the_one_resident_matching_what_staff_typed(staff, wang, community):
    response = browser(staff).post(f"/tasks/new/{community.pk}/", _task_form(community, beneficiary="秀英"))
    assert response.status_code == 302
    assert Task.objects.get().beneficiary == wang


def test_several_matches_come_back_as_a_choice_keeping_what_was_typed(staff, wang, community):
    other = MembershipFactory(community=community, role=Membership.Role.RESIDENT, user__display_name="王秀兰", user__phone="13900001111").user
    client = browser(staff, "en")
    response = client.post(f"/tasks/new/{community.pk}/", _task_form(community, title="陪同买菜", beneficiary="王秀"))
    page = response.content.decode()
    assert response.status_code == 400 and not Task.objects.exists()
    assert "2 people match “王秀”: choose one below." in page
    assert "王秀兰 · 139****1111" in page and 'value="陪同买菜"' in page and 'value="王秀"' in page
    response = client.post(f"/tasks/new/{community.pk}/", _task_form(community, beneficiary="王秀", beneficiary_pick=other.pk))
    assert response.status_code == 302 and Task.objects.get().beneficiary == other


def test_the_script_s_choice_is_kept_and_someone_outside_the_community_is_refused(staff, wang, community, other_community):
    label = _search(staff, "秀英", community=community.pk)[0]["label"]
    response = browser(staff).post(f"/tasks/new/{community.pk}/", _task_form(community, beneficiary=label, beneficiary_id=wang.pk))
    assert response.status_code == 302 and Task.objects.get().beneficiary == wang
    stranger = MembershipFactory(community=other_community, role=Membership.Role.RESIDENT, user__display_name="李四").user
    response = browser(staff, "en").post(f"/tasks/new/{community.pk}/", _task_form(community, beneficiary="李四", beneficiary_id=stranger.pk))
    assert response.status_code == 400 and "Nobody found for “李四”" in response.content.decode()


def test_the_task_form_shows_every_error_of_one_submission_at_once(staff, community):
    form = _task_form(community, title="", slots=0, beneficiary="没有这个人")
    form["ends_at"] = form["starts_at"]  # ends when it starts
    page = browser(staff, "en").post(f"/tasks/new/{community.pk}/", form).content.decode()
    for message in ("This field is required.", "The task must end after it starts.", "Nobody found for “没有这个人”", "greater than or equal to 1"):
        assert message in page, message
    assert 'value="3 栋"' in page  # what was typed stays


def test_the_edit_form_shows_the_beneficiary_by_name_not_username(staff, wang, community, make_task):
    task = make_task(beneficiary=wang)
    page = browser(staff).get(f"/tasks/{task.pk}/edit/").content.decode()
    assert 'value="王秀英 · 138****5678 · JB00000042"' in page and f'name="beneficiary_id" value="{wang.pk}"' in page
    assert wang.username not in page


def test_staff_add_a_member_found_by_name_among_their_communities(staff, community, other_community):
    # A volunteer of a neighbouring community that the same worker staffs becomes a resident here.
    MembershipFactory(community=other_community, role=Membership.Role.STAFF, user=staff)
    neighbour = MembershipFactory(community=other_community, role=Membership.Role.VOLUNTEER, user__display_name="赵六").user
    browser(staff).post(f"/communities/{community.pk}/members/", {"person": "赵六", "role": "resident"})
    assert neighbour.community_invitations.filter(community=community).exists()
    stranger = UserFactory(display_name="钱七", phone="13700000000")
    response = browser(staff, "en").post(f"/communities/{community.pk}/members/", {"person": "钱七", "role": "resident"}, follow=True)
    assert "Nobody found for “钱七”" in response.content.decode()
    response = browser(staff, "en").post(f"/communities/{community.pk}/members/", {"person": "13700000000", "role": "resident"}, follow=True)
    assert "钱*" in response.content.decode() and stranger.pk


def test_staff_find_a_resident_and_post_a_need_for_them_without_typing_a_username(staff, wang, community):
    client = browser(staff, "en")
    response = client.get(f"/communities/{community.pk}/residents/", {"person": "5678"})
    assert response.status_code == 302 and response["Location"] == f"/communities/{community.pk}/residents/{wang.pk}/"
    record = client.get(response["Location"]).content.decode()
    assert f"/needs/new/{community.pk}/?for={wang.pk}" in record
    form = client.get(f"/needs/new/{community.pk}/?for={wang.pk}").content.decode()
    assert 'value="王秀英 · 138****5678 · JB00000042"' in form  # whom it is for, by name
    response = client.post(
        f"/needs/new/{community.pk}/",
        {"on_behalf_of": "王秀英", "consent_note": "电话确认", "title": "想学用智能手机", "category": "education", "urgency": 2},
    )
    assert response.status_code == 302
    need = wang.needs.get()
    assert need.entered_by == staff and need.consent_note == "电话确认"


def test_a_resident_names_a_guardian_by_their_phone_number_and_sees_the_name_masked(resident, community):
    daughter = UserFactory(display_name="刘小红", phone="13600001234")
    client = browser(resident, "en")
    assert _search(resident, "刘小红") == []  # nobody browses people by name
    assert _search(resident, "13600001234")[0]["label"] == "刘*红 · 136****1234"
    response = client.post("/me/guardians/", {"person": "13600001234"})
    assert response.status_code == 302
    link = resident.guardians.get(guardian=daughter)
    assert link.accepted_at is None  # she is asked first; until she accepts she cannot act for anyone


def test_the_points_counter_offers_a_choice_when_two_members_match_and_awards_the_one_picked(staff, funded, wang):
    from points.selectors import person_balance

    other = MembershipFactory(community=funded, role=Membership.Role.VOLUNTEER, user__display_name="王秀兰").user
    client = browser(staff, "en")
    response = client.post(f"/communities/{funded.pk}/points/award/", {"person": "王秀", "amount": 5, "reason": "清扫楼道"})
    page = response.content.decode()
    assert response.status_code == 400 and 'name="person_pick"' in page and 'value="清扫楼道"' in page
    client.post(f"/communities/{funded.pk}/points/award/", {"person": "王秀", "person_pick": other.pk, "amount": 5, "reason": "清扫楼道"})
    assert (person_balance(other), person_balance(wang)) == (5, 0)


def test_the_box_tells_a_volunteer_to_type_a_whole_number_and_staff_that_a_name_will_do(volunteer, staff, funded, give):
    give(volunteer, 10)
    give(staff, 10)  # the form to give points shows to whoever holds some
    volunteers_page = browser(volunteer, language="en").get("/points/").content.decode()
    assert "Type their whole phone number or volunteer number." in volunteers_page
    assert "Type a name" not in volunteers_page, "a volunteer cannot find people by name: the box must not say so"
    assert "Leave it empty to give the points back to the community pool." in volunteers_page
    in_chinese = browser(volunteer).get("/points/").content.decode()
    assert "请输入对方的完整手机号或志愿者编号。" in in_chinese
    staff_page = browser(staff, language="en").get("/points/").content.decode()
    assert "Type a name, the last 4 digits of a phone or a volunteer number." in staff_page

    answer = browser(volunteer, language="en").post("/points/", {"community": funded.pk, "amount": 1, "to_person": "王"})
    assert answer.status_code == 400
    assert "Type their whole phone number or volunteer number." in answer.content.decode()


def test_naming_a_guardian_by_id_reveals_no_name_and_grants_nothing_until_they_accept(resident, django_capture_on_commit_callbacks):
    """#36 item 2: ``POST /me/guardians {"user_id": N}`` answered anyone's full name and made the
    link at once. Now a person is found only by a whole phone or volunteer number, the answer shows
    the name masked, and the other person is asked before the link counts."""
    from django.test import Client

    from accounts.models import Notification
    from accounts.selectors import is_guardian_of

    stranger = UserFactory(display_name="张桂兰", phone="13600009999")
    client = Client()
    client.force_login(resident)
    by_id = client.post("/api/v1/me/guardians", {"user_id": stranger.pk}, content_type="application/json")
    assert by_id.status_code == 400 and "张桂兰" not in by_id.content.decode()
    wrong = client.post("/api/v1/me/guardians", {"who": "13600009998"}, content_type="application/json")
    assert wrong.status_code == 404 and wrong.json()["code"] == "user_not_found"
    with django_capture_on_commit_callbacks(execute=True):
        named = client.post("/api/v1/me/guardians", {"who": "13600009999"}, content_type="application/json")
    assert named.status_code == 201
    assert named.json()["display_name"] == "张*兰" and named.json()["accepted"] is False
    assert not is_guardian_of(stranger, resident.pk)
    # She is told, in her own language, and answers on her guardians page.
    asked = Notification.objects.get(user=stranger)
    assert asked.code == "guardian_request"
    page = browser(stranger, "en").get("/me/guardians/").content.decode()
    assert "named you their guardian" in page
    assert browser(stranger, "en").post(f"/me/guardian-requests/{resident.pk}/accept/").status_code == 302
    assert is_guardian_of(stranger, resident.pk)
    assert client.get("/api/v1/me/guardians").json()["items"][0]["display_name"] == "张桂兰"
