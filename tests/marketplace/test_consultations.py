"""Community consultation (协商议事): open, vote once (changeable), comment, close, decide."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace import services
from marketplace.models import Consultation, Vote
from marketplace.selectors import consultation_results
from tests.conftest import error_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(community, staff):
    return services.consultation_open(
        actor=staff, community=community, title="文明养犬公约", options=["同意", "不同意", "弃权"],
        closes_at=timezone.now() + timedelta(days=3), description="是否采纳《文明养犬公约》",
    )


def option(topic, label):
    return topic.options.get(label=label)


def test_residents_vote_once_and_may_change_until_it_closes(topic, resident):
    services.consultation_vote(actor=resident, consultation=topic, option=option(topic, "同意"))
    services.consultation_vote(actor=resident, consultation=topic, option=option(topic, "不同意"))
    assert Vote.objects.get(user=resident).option.label == "不同意"
    with time_machine.travel(topic.closes_at + timedelta(minutes=1)), pytest.raises(Conflict) as exc:
        services.consultation_vote(actor=resident, consultation=topic, option=option(topic, "同意"))
    assert exc.value.code == "consultation_closed"
    assert Vote.objects.get(user=resident).option.label == "不同意"


def test_residents_of_other_communities_cannot_vote(topic, other_community, volunteer):
    outsider = MembershipFactory(community=other_community, role="resident").user
    for actor in (outsider, volunteer):
        with pytest.raises(PermissionDenied) as exc:
            services.consultation_vote(actor=actor, consultation=topic, option=option(topic, "同意"))
        assert exc.value.code == "not_a_resident"
    assert not Vote.objects.exists()


def test_results_are_hidden_until_closing(topic, resident, community):
    services.consultation_vote(actor=resident, consultation=topic, option=option(topic, "同意"))
    other = MembershipFactory(community=community, role="resident").user
    services.consultation_vote(actor=other, consultation=topic, option=option(topic, "同意"))
    assert consultation_results(topic) is None
    with time_machine.travel(topic.closes_at + timedelta(minutes=1)):
        assert [(r["label"], r["votes"]) for r in consultation_results(topic)] == [("同意", 2), ("不同意", 0), ("弃权", 0)]


def test_the_decision_is_recorded_after_closing_on_the_topic_and_need(community, staff, resident):
    need = services.need_submit(actor=resident, community=community, title="小区养犬扰民")
    services.need_triage(actor=staff, need=need, track="minor", reply="将组织居民协商")
    topic = services.consultation_open(
        actor=staff, community=community, title="文明养犬", options=["同意", "不同意"], closes_at=timezone.now() + timedelta(days=1), need=need
    )
    need.refresh_from_db()
    assert need.status == "in_progress"
    with pytest.raises(Conflict) as exc:
        services.consultation_decide(actor=staff, consultation=topic, decision="x")
    assert exc.value.code == "consultation_open"
    with time_machine.travel(topic.closes_at + timedelta(hours=1)):
        services.consultation_decide(actor=staff, consultation=topic, decision="通过《文明养犬公约》，下月起执行")
    topic.refresh_from_db()
    assert topic.decision.startswith("通过") and topic.decided_by == staff
    assert "通过《文明养犬公约》" in need.history.last().note


def test_staff_hide_an_abusive_comment_with_a_reason(topic, resident, staff):
    comment = services.consultation_comment(actor=resident, consultation=topic, body="骂人的话")
    with pytest.raises(PermissionDenied):
        services.comment_hide(actor=resident, comment=comment, reason="x")
    services.comment_hide(actor=staff, comment=comment, reason="人身攻击")
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_reason == "人身攻击" and comment.body == "骂人的话"


@pytest.mark.parametrize("options", [["只有一个"], [], ["同意", "同意"]])
def test_a_topic_needs_two_different_options(community, staff, options):
    with pytest.raises(ValidationFailed) as exc:
        services.consultation_open(actor=staff, community=community, title="x", options=options, closes_at=timezone.now() + timedelta(days=1))
    assert exc.value.code == "invalid_options"


def test_consultations_through_the_api(api, community, staff, resident, other_community):
    closes = (timezone.localtime() + timedelta(days=2)).isoformat()
    created = api(staff).post(
        "consultations", {"community_id": community.pk, "title": "高空抛物治理", "options": ["装摄像头", "加强宣传"], "closes_at": closes}
    )
    assert created.status_code == 201
    topic = created.json()
    assert topic["results"] is None and topic["is_open"] is True
    first = topic["options"][0]["id"]
    assert api(resident).post(f"consultations/{topic['id']}/votes", {"option_id": first}).json()["option_id"] == first
    assert api(resident).get(f"consultations/{topic['id']}").json()["my_option_id"] == first
    outsider = MembershipFactory(community=other_community, role="resident").user
    assert error_of(api(outsider).post(f"consultations/{topic['id']}/votes", {"option_id": first})) == (403, "not_a_resident")
    assert api(resident).post(f"consultations/{topic['id']}/comments", {"body": "支持装摄像头"}).status_code == 201
    assert api().get(f"consultations/{topic['id']}/comments").json()["count"] == 1
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        closed = api().get(f"consultations/{topic['id']}").json()
        assert closed["results"][0] == {"option_id": first, "label": "装摄像头", "votes": 1}
        assert error_of(api(resident).post(f"consultations/{topic['id']}/votes", {"option_id": first})) == (409, "consultation_closed")
        decided = api(staff).post(f"consultations/{topic['id']}/decision", {"decision": "安装摄像头"})
        assert decided.json()["decision"] == "安装摄像头"


def test_a_consultation_opened_through_the_api_keeps_its_category_and_refuses_an_unknown_one(api, community, staff):
    closes = (timezone.localtime() + timedelta(days=2)).isoformat()
    body = {"community_id": community.pk, "title": "修订居民公约", "options": ["同意", "不同意"], "closes_at": closes}
    created = api(staff).post("consultations", {**body, "category": "rules"})
    assert created.status_code == 201 and created.json()["category"] == "rules"
    assert api().get(f"consultations/{created.json()['id']}").json()["category"] == "rules"
    assert api(staff).post("consultations", body).json()["category"] == "other"
    before = Consultation.objects.count()
    assert error_of(api(staff).post("consultations", {**body, "category": "gossip"})) == (400, "invalid_category")
    assert Consultation.objects.count() == before
