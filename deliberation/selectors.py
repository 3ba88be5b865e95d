"""Reads for deliberation and conduct points, and the one place that says who may see what.

- Stewards, issues and meetings (agenda, attendance, motions, minutes) are the community's own
  business: its members (any role), its staff and the district admin read them; anyone else gets 404.
- Conventions and conduct rules are public, like the notice board they are pinned on.
- A conduct award is read by the resident it is for and by the staff of its community; else 404.
"""

import math

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import Community, Membership
from accounts.selectors import is_community_staff, staff_communities
from core.errors import NotFound
from core.filtering import apply_filters
from deliberation.filters import ConductAwardFilter, ConductRuleFilter, ConventionFilter, IssueFilter, MeetingFilter
from deliberation.models import (
    STEWARD_SHARE_PERCENT,
    Attendance,
    ConductAward,
    ConductRule,
    Convention,
    ConventionSignature,
    Issue,
    Meeting,
    Motion,
    Steward,
)


def steward_target(community: Community) -> int | None:
    """6 % of the community's households, rounded up; None while the households are not set."""
    if not community.households:
        return None
    return math.ceil(community.households * STEWARD_SHARE_PERCENT / 100)


def is_steward(user, community_id: int) -> bool:
    return bool(user and user.is_authenticated) and Steward.objects.filter(user_id=user.pk, community_id=community_id).exists()


def is_member(user, community_id: int) -> bool:
    return bool(user and user.is_authenticated) and Membership.objects.filter(user_id=user.pk, community_id=community_id).exists()


def can_read_community(viewer, community_id: int) -> bool:
    return bool(viewer and viewer.is_authenticated) and (is_member(viewer, community_id) or is_community_staff(viewer, community_id))


def community_for_deliberation(viewer, community_id: int) -> Community:
    community = Community.objects.filter(pk=community_id).first()
    if community is None or not can_read_community(viewer, community.pk):
        raise NotFound(code="community_not_found")
    return community


def steward_list(community: Community) -> QuerySet[Steward]:
    return Steward.objects.filter(community=community).select_related("user").order_by("appointed_at", "id")


def stewarded_communities(user) -> QuerySet[Community]:
    if not user.is_authenticated:
        return Community.objects.none()
    return Community.objects.filter(stewards__user=user).order_by("name")


def issue_list(community: Community, data=None) -> QuerySet[Issue]:
    qs = Issue.objects.filter(community=community).select_related("proposed_by", "need", "consultation")
    return apply_filters(IssueFilter, data, qs)


def issue_get_for(viewer, issue_id: int) -> Issue:
    issue = Issue.objects.select_related("community", "proposed_by", "need", "consultation").filter(pk=issue_id).first()
    if issue is None or not can_read_community(viewer, issue.community_id):
        raise NotFound(code="issue_not_found")
    return issue


def meeting_list(community: Community, data=None) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(community=community).annotate(motions_count=Count("motions", distinct=True))
    return apply_filters(MeetingFilter, data, qs)


def meeting_get_for(viewer, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("community").filter(pk=meeting_id).first()
    if meeting is None or not can_read_community(viewer, meeting.community_id):
        raise NotFound(code="meeting_not_found")
    return meeting


def meeting_agenda(meeting: Meeting) -> list[Issue]:
    return list(meeting.issues.select_related("consultation", "need").order_by("id"))


def meeting_attendance(meeting: Meeting) -> QuerySet[Attendance]:
    stewards = Steward.objects.filter(community_id=meeting.community_id, user_id=OuterRef("user_id"))
    return meeting.attendance.select_related("user").annotate(is_steward=Exists(stewards)).order_by("id")


def stewards_present(meeting: Meeting) -> int:
    return Attendance.objects.filter(meeting=meeting, user__stewardships__community_id=meeting.community_id).count()


def is_present(user, meeting: Meeting) -> bool:
    return Attendance.objects.filter(meeting=meeting, user_id=user.pk).exists()


def motion_list(meeting: Meeting) -> QuerySet[Motion]:
    return meeting.motions.select_related("issue").order_by("id")


def motion_get_for(viewer, motion_id: int) -> Motion:
    motion = Motion.objects.select_related("meeting__community", "issue").filter(pk=motion_id).first()
    if motion is None or not can_read_community(viewer, motion.meeting.community_id):
        raise NotFound(code="motion_not_found")
    return motion


def convention_list(data=None) -> QuerySet[Convention]:
    qs = Convention.objects.select_related("community", "motion").annotate(signatures_count=Count("signatures"))
    return apply_filters(ConventionFilter, data, qs)


def convention_get_for(viewer, convention_id: int) -> Convention:
    """Conventions are public (they hang on the notice board)."""
    convention = convention_list().filter(pk=convention_id).first()
    if convention is None:
        raise NotFound(code="convention_not_found")
    return convention


def has_signed(user, convention: Convention) -> bool:
    return bool(user and user.is_authenticated) and ConventionSignature.objects.filter(convention=convention, user_id=user.pk).exists()


def conduct_rule_list(data=None) -> QuerySet[ConductRule]:
    return apply_filters(ConductRuleFilter, data, ConductRule.objects.select_related("community", "convention"))


def conduct_rule_get_for(viewer, rule_id: int) -> ConductRule:
    """Rules are public: residents read what earns points."""
    rule = ConductRule.objects.select_related("community", "convention").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(code="conduct_rule_not_found")
    return rule


def _awards_visible_to(viewer) -> QuerySet[ConductAward]:
    qs = ConductAward.objects.select_related("rule", "community", "user", "proposed_by", "decided_by")
    if viewer.is_superuser:
        return qs
    return qs.filter(Q(user_id=viewer.pk) | Q(community_id__in=staff_communities(viewer)))


def conduct_award_list(viewer, data=None) -> QuerySet[ConductAward]:
    return apply_filters(ConductAwardFilter, data, _awards_visible_to(viewer))


def conduct_award_get_for(viewer, award_id: int) -> ConductAward:
    award = _awards_visible_to(viewer).filter(pk=award_id).first() if viewer.is_authenticated else None
    if award is None:
        raise NotFound(code="conduct_award_not_found")
    return award


def online_result(issue: Issue) -> dict[str, int] | None:
    """The votes of the issue's online consultation by option (what the meeting sees), or None."""
    if not issue.consultation_id:
        return None
    options = issue.consultation.options.annotate(n=Count("votes")).order_by("position", "id")
    return {option.label: option.n for option in options}
