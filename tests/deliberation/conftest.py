import pytest
from django.utils import timezone

from accounts.models import Membership
from deliberation import services
from tests.factories import MembershipFactory


@pytest.fixture
def second_staff(community):
    """Another staff member of the community: the second person of the two-person rule."""
    return MembershipFactory(community=community, role=Membership.Role.STAFF, user__username="staff2", user__display_name="何主任").user


@pytest.fixture
def make_resident(community):
    def _make(name: str, target=None):
        return MembershipFactory(community=target or community, role=Membership.Role.RESIDENT, user__username=name, user__display_name=name).user

    return _make


@pytest.fixture
def stewards(community, staff, make_resident):
    """Four stewards of 锣旗寺社区, appointed by staff."""
    people = [make_resident(f"steward{i}") for i in range(4)]
    for person in people:
        services.steward_appoint(actor=staff, community=community, user_id=person.pk)
    return people


@pytest.fixture
def meeting(community, staff, stewards):
    """The 文明养犬 meeting, called with one issue on its agenda, the first three stewards present."""
    issue = services.issue_collect(actor=stewards[0], community=community, title="文明养犬", text="楼下狗不拴绳", category="rules")
    meeting = services.meeting_call(
        actor=staff, community=community, title="第三季度百姓管家议事会", starts_at=timezone.now(), location="社区会议室", issue_ids=[issue.pk]
    )
    services.attendance_record(actor=staff, meeting=meeting, user_ids=[s.pk for s in stewards[:3]])
    return meeting


@pytest.fixture
def motion(meeting, staff):
    return services.motion_put(actor=staff, meeting=meeting, title="通过《文明养犬公约》", text="出门拴绳，及时清理。", issue_id=meeting.issues.get().pk)
