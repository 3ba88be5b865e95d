"""The pages: what staff, a steward and a resident see and do, in Chinese and in English."""

import pytest
from django.utils import timezone

from deliberation import services
from deliberation.models import ConductAward, ConventionSignature, MotionVote
from points.services import points_budget
from tests.conftest import browser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_role_reads_the_community_page_and_the_meeting(community, meeting, staff, stewards, resident, language):
    for person in (staff, stewards[0], resident):
        home = browser(person, language).get(f"/deliberation/communities/{community.pk}/")
        assert home.status_code == 200 and "第三季度百姓管家议事会" in home.content.decode()
        page = browser(person, language).get(f"/deliberation/meetings/{meeting.pk}/")
        assert page.status_code == 200 and "文明养犬" in page.content.decode()
    assert browser(staff, language).get("/deliberation/").status_code == 200


def test_outsiders_get_404_for_a_communitys_meeting(meeting, outsider, other_staff):
    for person in (outsider, other_staff):
        assert browser(person).get(f"/deliberation/meetings/{meeting.pk}/").status_code == 404
    assert browser().get(f"/deliberation/meetings/{meeting.pk}/").status_code == 302  # to the login page


def test_a_steward_present_votes_on_the_page_and_sees_her_vote(motion, stewards):
    client = browser(stewards[0])
    before = client.get(f"/deliberation/meetings/{motion.meeting_id}/").content.decode()
    assert 'name="vote" value="for"' in before
    response = client.post(f"/deliberation/motions/{motion.pk}/vote/", {"vote": "for"}, follow=True)
    assert response.status_code == 200 and "你的投票已记录" in response.content.decode()
    assert MotionVote.objects.get(motion=motion, user=stewards[0]).vote == "for"
    again = client.post(f"/deliberation/motions/{motion.pk}/vote/", {"vote": "against"}, follow=True)
    assert "已记录" in again.content.decode() and MotionVote.objects.filter(motion=motion).count() == 1


def test_staff_run_the_meeting_from_the_page_and_a_resident_signs_the_convention(community, motion, staff, stewards, resident):
    client = browser(staff, "en")
    for steward in stewards[:3]:
        client.post(f"/deliberation/motions/{motion.pk}/vote/", {"vote": "for", "on_behalf_of": steward.pk})
    closed = client.post(f"/deliberation/motions/{motion.pk}/close/", follow=True).content.decode()
    assert "Passed: 3 for, 0 against, 0 abstaining." in closed
    convention = client.post(f"/deliberation/motions/{motion.pk}/convention/", {"title": "文明养犬公约", "text": "出门拴绳"}, follow=True)
    assert convention.status_code == 200 and "文明养犬公约" in convention.content.decode()
    minutes = client.post(f"/deliberation/meetings/{motion.meeting_id}/minutes/", {"text": "通过公约"}, follow=True)
    assert "The minutes are published." in minutes.content.decode()
    convention_id = motion.convention.pk
    page = browser(resident).get(f"/deliberation/conventions/{convention_id}/").content.decode()
    assert "接受公约" in page
    signed = browser(resident).post(f"/deliberation/conventions/{convention_id}/sign/", follow=True).content.decode()
    assert "1 位邻居已签署" in signed and ConventionSignature.objects.count() == 1


def test_a_bad_start_time_is_told_on_the_page_and_nothing_is_written(community, staff):
    response = browser(staff, "en").post(f"/deliberation/communities/{community.pk}/meetings/", {"title": "x", "starts_at": "soon", "location": "y"},
                                         follow=True)
    assert "Give the date and time." in response.content.decode()
    assert not community.deliberation_meetings.exists()


def test_the_conduct_desk_proposes_and_a_second_staff_member_approves(community, staff, second_staff, resident, superuser):
    points_budget(actor=superuser, community=community, amount=100)
    rule = services.conduct_rule_create(actor=staff, community=community, title="文明养犬", points=10)
    browser(staff).post(f"/deliberation/communities/{community.pk}/conduct/awards/", {"rule": rule.pk, "user": resident.pk, "evidence": "拴绳遛狗"})
    award = ConductAward.objects.get()
    own = browser(staff).get(f"/deliberation/communities/{community.pk}/conduct/").content.decode()
    assert f'/deliberation/conduct-awards/{award.pk}/approve/' not in own
    assert browser(staff).post(f"/deliberation/conduct-awards/{award.pk}/approve/").status_code == 403
    browser(second_staff).post(f"/deliberation/conduct-awards/{award.pk}/approve/")
    statement = browser(resident).get("/points/").content.decode()
    assert "文明行为：文明养犬" in statement
    assert browser(resident).get(f"/deliberation/communities/{community.pk}/conduct/").status_code == 403


def test_staff_open_a_consultation_in_one_of_pengshuis_categories(community, staff):
    from marketplace.models import Consultation

    closes = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = browser(staff).get(f"/consultations/community/{community.pk}/new/").content.decode()
    assert "制度建设类" in page and "村(居)务管理类" in page
    browser(staff).post(f"/consultations/community/{community.pk}/new/",
                        {"title": "修订居民公约", "category": "rules", "options": "同意\n不同意", "closes_at": closes})
    assert Consultation.objects.get().category == "rules"
