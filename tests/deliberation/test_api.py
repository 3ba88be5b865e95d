"""The deliberation API as the contract's third round says: stewards, issues, meetings, motions,
votes, minutes, conventions and conduct points, and every refusal of the issue's "Bad input" list
with its code and nothing written."""

import pytest
from django.utils import timezone

from deliberation.models import ConductAward, Convention, ConventionSignature, Motion, MotionVote, Steward
from marketplace.models import Consultation, ConsultationOption
from points.models import LedgerTransaction
from points.services import points_budget
from tests.conftest import error_of

pytestmark = pytest.mark.django_db


# --- Stewards ---------------------------------------------------------------------------------------
def test_staff_appoint_a_resident_and_the_list_shows_the_six_percent_target(api, community, staff, resident):
    community.households = 1700
    community.save()
    response = api(staff).post(f"communities/{community.pk}/stewards", {"user_id": resident.pk})
    assert response.status_code == 201 and response.json()["user_id"] == resident.pk
    listing = api(resident).get(f"communities/{community.pk}/stewards").json()
    assert listing["count"] == 1 and listing["target"] == 102 and listing["households"] == 1700
    assert resident.notifications.filter(code="steward_appointed").exists()


def test_a_steward_who_is_not_a_resident_is_refused_and_nothing_is_written(api, community, staff, volunteer, outsider):
    for person in (volunteer, outsider):
        assert error_of(api(staff).post(f"communities/{community.pk}/stewards", {"user_id": person.pk})) == (400, "not_a_resident")
    assert error_of(api(staff).post(f"communities/{community.pk}/stewards", {"user_id": 999999})) == (400, "not_a_resident")
    assert not Steward.objects.exists()


def test_only_staff_of_the_community_appoint_and_appointing_twice_is_a_conflict(api, community, staff, other_staff, resident):
    assert error_of(api(other_staff).post(f"communities/{community.pk}/stewards", {"user_id": resident.pk})) == (403, "not_staff")
    assert error_of(api(resident).post(f"communities/{community.pk}/stewards", {"user_id": resident.pk})) == (403, "not_staff")
    assert api(staff).post(f"communities/{community.pk}/stewards", {"user_id": resident.pk}).status_code == 201
    assert error_of(api(staff).post(f"communities/{community.pk}/stewards", {"user_id": resident.pk})) == (409, "already_steward")
    assert Steward.objects.count() == 1


def test_the_stewards_of_a_community_are_hidden_from_outsiders(api, community, outsider, stewards):
    assert error_of(api(outsider).get(f"communities/{community.pk}/stewards")) == (404, "community_not_found")
    assert api().get(f"communities/{community.pk}/stewards").status_code == 401


# --- Issues and meetings --------------------------------------------------------------------------------
def test_a_steward_proposes_an_issue_and_staff_take_one_from_a_need(api, community, staff, stewards, resident):
    response = api(stewards[0]).post(f"communities/{community.pk}/issues", {"title": "高空抛物", "text": "3栋", "category": "management"})
    assert response.status_code == 201 and response.json()["category"] == "management" and response.json()["status"] == "collected"
    need = api(resident).post("needs", {"community_id": community.pk, "title": "楼道堆满杂物", "description": "消防通道", "category": "other"}).json()
    taken = api(staff).post(f"communities/{community.pk}/issues", {"need_id": need["id"]}).json()
    assert taken["title"] == "楼道堆满杂物" and taken["need_id"] == need["id"]
    # A steward cannot reach into needs (staff read them): the same 400 as for another community's need.
    assert error_of(api(stewards[0]).post(f"communities/{community.pk}/issues", {"need_id": need["id"]})) == (400, "invalid_need")
    assert error_of(api(resident).post(f"communities/{community.pk}/issues", {"title": "x"})) == (403, "not_a_steward")
    assert error_of(api(staff).post(f"communities/{community.pk}/issues", {"title": "x", "category": "sports"})) == (400, "invalid_category")
    assert api(stewards[1]).get(f"communities/{community.pk}/issues").json()["count"] == 2


def test_staff_call_a_meeting_and_the_stewards_see_its_agenda(api, community, staff, stewards, other_community, other_staff):
    issue = api(stewards[0]).post(f"communities/{community.pk}/issues", {"title": "文明养犬"}).json()
    body = {"title": "议事会", "starts_at": "2026-12-20T19:30:00+08:00", "location": "会议室", "issue_ids": [issue["id"]]}
    meeting = api(staff).post(f"communities/{community.pk}/meetings", body)
    assert meeting.status_code == 201 and meeting.json()["status"] == "called"
    detail = api(stewards[2]).get(f"meetings/{meeting.json()['id']}").json()
    assert [i["title"] for i in detail["agenda"]] == ["文明养犬"] and detail["agenda"][0]["status"] == "on_agenda"
    assert stewards[2].notifications.filter(code="meeting_called").exists()
    assert error_of(api(other_staff).get(f"meetings/{meeting.json()['id']}")) == (404, "meeting_not_found")
    foreign = {**body, "issue_ids": [issue["id"]]}
    assert error_of(api(other_staff).post(f"communities/{other_community.pk}/meetings", foreign)) == (400, "invalid_issue")
    assert error_of(api(stewards[0]).post(f"communities/{community.pk}/meetings", body)) == (403, "not_staff")


def test_attendance_takes_only_members_of_the_community(api, meeting, staff, outsider):
    assert error_of(api(staff).post(f"meetings/{meeting.pk}/attendance", {"user_ids": [outsider.pk]})) == (400, "not_a_member")
    assert meeting.attendance.count() == 3


# --- Motions and votes ------------------------------------------------------------------------------
def test_stewards_present_vote_and_closing_counts_once(api, motion, staff, stewards):
    for steward, vote in zip(stewards[:3], ["for", "for", "against"], strict=True):
        assert api(steward).post(f"motions/{motion.pk}/votes", {"vote": vote}).status_code == 201
    result = api(staff).post(f"motions/{motion.pk}/close")
    assert result.status_code == 200
    assert result.json() == {"for": 2, "against": 1, "abstain": 0, "passed": True, "stewards_present": 3}
    assert error_of(api(staff).post(f"motions/{motion.pk}/close")) == (409, "motion_closed")
    motion.refresh_from_db()
    assert motion.history.count() == 2 and motion.votes_for == 2


def test_the_bad_votes_each_have_their_code_and_write_nothing(api, motion, staff, stewards, resident):
    absent = stewards[3]
    assert error_of(api(absent).post(f"motions/{motion.pk}/votes", {"vote": "for"})) == (403, "not_present")
    assert error_of(api(resident).post(f"motions/{motion.pk}/votes", {"vote": "for"})) == (403, "not_a_steward")
    assert error_of(api(stewards[0]).post(f"motions/{motion.pk}/votes", {"vote": "maybe"})) == (400, "invalid_vote")
    assert api(stewards[0]).post(f"motions/{motion.pk}/votes", {"vote": "abstain"}).status_code == 201
    assert error_of(api(stewards[0]).post(f"motions/{motion.pk}/votes", {"vote": "for"})) == (409, "already_voted")
    assert MotionVote.objects.filter(motion=motion).count() == 1


def test_staff_record_a_show_of_hands_for_a_steward(api, motion, staff, stewards):
    response = api(staff).post(f"motions/{motion.pk}/votes", {"vote": "for", "on_behalf_of": stewards[1].pk})
    assert response.status_code == 201 and response.json()["user_id"] == stewards[1].pk
    assert error_of(api(stewards[0]).post(f"motions/{motion.pk}/votes", {"vote": "for", "on_behalf_of": stewards[1].pk})) == (403, "not_staff")


def test_a_motion_fails_when_too_few_of_those_present_vote(api, motion, staff, stewards):
    api(stewards[0]).post(f"motions/{motion.pk}/votes", {"vote": "for"})
    assert api(staff).post(f"motions/{motion.pk}/close").json()["passed"] is False  # 1 of 3 present voted
    assert error_of(api(stewards[1]).post(f"motions/{motion.pk}/votes", {"vote": "for"})) == (409, "motion_closed")


def test_minutes_wait_for_every_motion_and_publish_once(api, meeting, motion, staff, resident):
    assert error_of(api(staff).post(f"meetings/{meeting.pk}/minutes", {"text": "纪要"})) == (409, "motions_open")
    api(staff).post(f"motions/{motion.pk}/close")
    published = api(staff).post(f"meetings/{meeting.pk}/minutes", {"text": "会议通过了文明养犬公约。"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert api(resident).get(f"meetings/{meeting.pk}").json()["minutes"] == "会议通过了文明养犬公约。"
    assert error_of(api(staff).post(f"meetings/{meeting.pk}/minutes", {"text": "改"})) == (409, "meeting_published")
    assert error_of(api(staff).post(f"meetings/{meeting.pk}/motions", {"title": "再议"})) == (409, "meeting_published")


# --- Conventions ----------------------------------------------------------------------------------
def _pass(api, motion, staff, stewards):
    for steward in stewards[:3]:
        api(steward).post(f"motions/{motion.pk}/votes", {"vote": "for"})
    api(staff).post(f"motions/{motion.pk}/close")


def test_a_convention_from_a_passed_motion_is_signed_once_by_each_resident(api, community, motion, staff, stewards, resident, volunteer):
    _pass(api, motion, staff, stewards)
    created = api(staff).post(f"communities/{community.pk}/conventions", {"title": "文明养犬公约", "text": "一、出门拴绳", "motion_id": motion.pk})
    assert created.status_code == 201
    convention_id = created.json()["id"]
    assert api(resident).post(f"conventions/{convention_id}/sign").status_code == 201
    assert error_of(api(resident).post(f"conventions/{convention_id}/sign")) == (409, "already_signed")
    assert error_of(api(volunteer).post(f"conventions/{convention_id}/sign")) == (403, "not_a_resident")
    public = api().get(f"conventions/{convention_id}").json()
    assert public["signatures_count"] == 1 and public["signed"] is None
    assert api(resident).get(f"conventions/{convention_id}").json()["signed"] is True
    assert ConventionSignature.objects.count() == 1


def test_a_convention_from_a_motion_that_did_not_pass_is_refused(api, community, motion, staff, stewards):
    assert error_of(api(staff).post(f"communities/{community.pk}/conventions", {"title": "公约", "text": "x", "motion_id": motion.pk})) == (
        409, "motion_not_passed")
    api(staff).post(f"motions/{motion.pk}/close")  # nobody voted: not passed
    assert Motion.objects.get(pk=motion.pk).status == "failed"
    assert error_of(api(staff).post(f"communities/{community.pk}/conventions", {"title": "公约", "text": "x", "motion_id": motion.pk})) == (
        409, "motion_not_passed")
    assert not Convention.objects.exists()


# --- Conduct points -------------------------------------------------------------------------------
@pytest.fixture
def rule(api, community, staff, superuser):
    points_budget(actor=superuser, community=community, amount=1000)
    response = api(staff).post(f"communities/{community.pk}/conduct-rules", {"title": "文明养犬", "points": 10})
    assert response.status_code == 201
    return response.json()


def test_an_award_is_paid_only_when_a_second_staff_member_approves(api, rule, staff, second_staff, resident):
    proposed = api(staff).post(f"conduct-rules/{rule['id']}/awards", {"user_id": resident.pk, "evidence": "遛狗拴绳并清理粪便（照片）"})
    assert proposed.status_code == 201 and proposed.json()["status"] == "pending"
    award_id = proposed.json()["id"]
    assert api(resident).get("points/balance").json()["balance"] == 0
    assert error_of(api(staff).post(f"conduct-awards/{award_id}/approve")) == (403, "own_award")
    assert api(resident).get("points/balance").json()["balance"] == 0
    approved = api(second_staff).post(f"conduct-awards/{award_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved" and approved.json()["points_paid"] == 10
    assert error_of(api(second_staff).post(f"conduct-awards/{award_id}/approve")) == (409, "invalid_transition")
    assert api(resident).get("points/balance").json()["balance"] == 10
    line = api(resident).get("points/entries").json()["items"][0]
    assert line["amount"] == 10 and "文明养犬" in line["reason"]
    tx = LedgerTransaction.objects.get(memo_code="points_conduct")
    assert tx.kind == "award" and tx.subject == ConductAward.objects.get(pk=award_id)
    assert api(resident).get("conduct-awards").json()["count"] == 1


def test_an_award_for_a_rule_of_another_community_is_refused(api, rule, other_staff, other_community, make_resident):
    neighbour = make_resident("neighbour", other_community)
    assert error_of(api(other_staff).post(f"conduct-rules/{rule['id']}/awards", {"user_id": neighbour.pk, "evidence": "x"})) == (
        403, "rule_other_community")
    assert not ConductAward.objects.exists()


def test_awards_need_a_member_and_evidence_and_rules_sane_points(api, community, rule, staff, outsider):
    assert error_of(api(staff).post(f"conduct-rules/{rule['id']}/awards", {"user_id": outsider.pk, "evidence": "x"})) == (400, "not_a_member")
    assert error_of(api(staff).post(f"conduct-rules/{rule['id']}/awards", {"user_id": staff.pk, "evidence": "x"})) == (403, "self_award")
    assert error_of(api(staff).post(f"communities/{community.pk}/conduct-rules", {"title": "x", "points": 0})) == (400, "invalid_points")
    assert error_of(api(staff).post(f"communities/{community.pk}/conduct-rules", {"title": "x", "points": 5, "convention_id": 999})) == (
        400, "invalid_convention")
    assert not ConductAward.objects.exists()


def test_a_rejected_award_pays_nothing(api, rule, staff, second_staff, resident):
    award_id = api(staff).post(f"conduct-rules/{rule['id']}/awards", {"user_id": resident.pk, "evidence": "x"}).json()["id"]
    assert api(second_staff).post(f"conduct-awards/{award_id}/reject", {"reason": "照片看不清"}).json()["status"] == "rejected"
    assert api(resident).get("points/balance").json()["balance"] == 0
    assert error_of(api(resident).post(f"conduct-awards/{award_id}/approve")) == (403, "not_staff")


def test_an_online_consultation_on_an_issue_shows_its_result_to_the_meeting(api, meeting, staff, stewards, resident):
    issue = meeting.issues.get()
    body = {"options": ["赞成", "反对"], "closes_at": (timezone.now() + timezone.timedelta(days=3)).isoformat()}
    consulted = api(staff).post(f"issues/{issue.pk}/consultation", body)
    assert consulted.status_code == 201
    consultation_id = consulted.json()["consultation_id"]
    assert Consultation.objects.get(pk=consultation_id).category == "rules"  # the issue's category
    option = ConsultationOption.objects.get(consultation_id=consultation_id, label="赞成")
    assert api(resident).post(f"consultations/{consultation_id}/votes", {"option_id": option.pk}).status_code == 200
    agenda = api(stewards[0]).get(f"meetings/{meeting.pk}").json()["agenda"][0]
    assert agenda["online_result"] == {"赞成": 1, "反对": 0}
    assert error_of(api(staff).post(f"issues/{issue.pk}/consultation", body)) == (409, "already_consulted")
