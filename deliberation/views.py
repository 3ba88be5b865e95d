"""Pages of deliberation: a community's stewards, issues and meetings; the meeting page (agenda,
attendance, motions and votes, minutes); conventions residents sign; staff's conduct points desk.
They call the same selectors and services as ``deliberation.api``."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Community, Membership, User
from accounts.selectors import is_community_staff, is_resident_of, staff_communities
from core.errors import PermissionDenied, ValidationFailed
from core.media import private_file_response
from core.pages import error_page, perform
from deliberation import selectors, services
from deliberation.models import ConductAward, MotionVote
from marketplace.models import ConsultationCategory, Need
from resources.selectors import venue_get_for, venue_list


def _id(value, *, field: str):
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) >= 2**31:
        raise ValidationFailed(_("Enter a whole number."), code="invalid", field=field)
    return int(value)


def _ids(values, *, field: str) -> list[int]:
    return [i for i in (_id(v, field=field) for v in values) if i is not None]


def _when(value, field="starts_at"):
    parsed = parse_datetime((value or "").strip())
    if parsed is None:
        raise ValidationFailed(_("Give the date and time."), code="invalid_time", field=field)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
def mine(request):
    """Where a resident, steward or staff member starts: their communities, and conventions to sign."""
    user = request.user
    communities = Community.objects.filter(Q(memberships__user=user) | Q(pk__in=staff_communities(user))).distinct().order_by("name")
    stewarded = set(selectors.stewarded_communities(user).values_list("pk", flat=True))
    rows = [{"community": c, "steward": c.pk in stewarded, "staff": is_community_staff(user, c.pk)} for c in communities]
    conventions = selectors.convention_list().filter(community__in=communities)
    return render(request, "deliberation/mine.html", {"rows": rows, "conventions": conventions})


@login_required
def home(request, community_id: int):
    community = selectors.community_for_deliberation(request.user, community_id)
    staff = is_community_staff(request.user, community.pk)
    stewards = list(selectors.steward_list(community))
    context = {
        "community": community, "is_staff": staff, "is_steward": selectors.is_steward(request.user, community.pk),
        "stewards": stewards, "target": selectors.steward_target(community),
        "issues": selectors.issue_list(community)[:50], "meetings": selectors.meeting_list(community)[:20],
        "conventions": selectors.convention_list({"community": community.pk}), "categories": ConsultationCategory.choices,
    }
    if staff:
        taken = [s.user_id for s in stewards]
        context["residents"] = (User.objects.filter(memberships__community=community, memberships__role=Membership.Role.RESIDENT, is_active=True)
                                .exclude(pk__in=taken).distinct().order_by("display_name", "username"))
        context["needs"] = Need.objects.filter(community=community, track=Need.Track.MINOR).exclude(status__in=["resolved", "closed"])[:30]
        context["open_issues"] = selectors.issue_list(community).exclude(status="decided")
        context["venues"] = venue_list({"community": community.pk})
    return render(request, "deliberation/home.html", context)


def _in_community(request, community_id: int, action, success: str, then=None):
    community = selectors.community_for_deliberation(request.user, community_id)
    return perform(request, lambda: action(community), success=success, then=then or redirect("deliberation:home", community.pk))


@login_required
@require_POST
def steward_appoint(request, community_id: int):
    return _in_community(request, community_id, lambda c: services.steward_appoint(
        actor=request.user, community=c, user_id=_id(request.POST.get("user"), field="user_id") or 0), _("The steward was appointed."))


@login_required
@require_POST
def steward_remove(request, community_id: int, user_id: int):
    return _in_community(request, community_id, lambda c: services.steward_remove(actor=request.user, community=c, user_id=user_id),
                         _("The stewardship ended."))


@login_required
@require_POST
def issue_collect(request, community_id: int):
    return _in_community(request, community_id, lambda c: services.issue_collect(
        actor=request.user, community=c, title=request.POST.get("title", ""), text=request.POST.get("text", ""),
        need_id=_id(request.POST.get("need"), field="need_id"), category=request.POST.get("category", ConsultationCategory.OTHER),
    ), _("The issue was collected for the next meeting."))


@login_required
@require_POST
def meeting_call(request, community_id: int):
    community = selectors.community_for_deliberation(request.user, community_id)

    def action(c):
        meeting = services.meeting_call(
            actor=request.user, community=c, title=request.POST.get("title", ""), starts_at=_when(request.POST.get("starts_at")),
            location=request.POST.get("location", ""), issue_ids=_ids(request.POST.getlist("issues"), field="issue_ids"),
            venue=venue_get_for(request.user, venue_id) if (venue_id := _id(request.POST.get("venue"), field="venue_id")) else None,
            ends_at=_when(request.POST.get("ends_at"), field="ends_at") if request.POST.get("ends_at") else None,
        )
        request.new_meeting = meeting
        return meeting

    response = perform(request, lambda: action(community), success=_("The meeting was called; the stewards are told."),
                       then=redirect("deliberation:home", community.pk))
    return redirect("deliberation:meeting", request.new_meeting.pk) if getattr(request, "new_meeting", None) else response


@login_required
def meeting(request, meeting_id: int):
    meeting = selectors.meeting_get_for(request.user, meeting_id)
    user = request.user
    staff = is_community_staff(user, meeting.community_id)
    steward = selectors.is_steward(user, meeting.community_id)
    agenda = selectors.meeting_agenda(meeting)
    for issue in agenda:
        issue.online_result = selectors.online_result(issue)
    motions = list(selectors.motion_list(meeting))
    mine = dict(MotionVote.objects.filter(motion__meeting=meeting, user=user).values_list("motion_id", "vote"))
    for motion in motions:
        motion.my_vote = mine.get(motion.pk)
        # "通过《文明养犬公约》" proposes the convention "文明养犬公约"
        motion.convention_title = motion.title.split("《", 1)[1].split("》", 1)[0] if "《" in motion.title and "》" in motion.title else motion.title
    attendance = list(selectors.meeting_attendance(meeting))
    present_ids = {a.user_id for a in attendance}
    context = {
        "meeting": meeting, "agenda": agenda, "motions": motions, "attendance": attendance, "is_staff": staff,
        "is_steward": steward, "is_present": user.pk in present_ids, "choices": MotionVote.Choice.choices,
        "open": meeting.status == "called", "history": meeting.history.select_related("actor"),
    }
    if staff:
        context["stewards"] = selectors.steward_list(meeting.community)
        context["present_stewards"] = [a for a in attendance if a.is_steward]
        context["present_ids"] = present_ids
    return render(request, "deliberation/meeting.html", context)


def _on_meeting(request, meeting_id: int, action, success: str):
    meeting = selectors.meeting_get_for(request.user, meeting_id)
    return perform(request, lambda: action(meeting), success=success, then=redirect("deliberation:meeting", meeting.pk))


@login_required
@require_POST
def attendance(request, meeting_id: int):
    return _on_meeting(request, meeting_id, lambda m: services.attendance_record(
        actor=request.user, meeting=m, user_ids=_ids(request.POST.getlist("present"), field="user_ids")), _("Attendance recorded."))


@login_required
@require_POST
def motion_put(request, meeting_id: int):
    return _on_meeting(request, meeting_id, lambda m: services.motion_put(
        actor=request.user, meeting=m, title=request.POST.get("title", ""), text=request.POST.get("text", ""),
        issue_id=_id(request.POST.get("issue"), field="issue_id")), _("The motion is put to the vote."))


@login_required
@require_POST
def minutes(request, meeting_id: int):
    return _on_meeting(request, meeting_id, lambda m: services.minutes_publish(actor=request.user, meeting=m, text=request.POST.get("text", "")),
                       _("The minutes are published."))


def _on_motion(request, motion_id: int, action, success: str):
    motion = selectors.motion_get_for(request.user, motion_id)
    return perform(request, lambda: action(motion), success=success, then=redirect(reverse("deliberation:meeting", args=[motion.meeting_id]) + f"#motion-{motion.pk}"))


@login_required
@require_POST
def vote(request, motion_id: int):
    return _on_motion(request, motion_id, lambda m: services.motion_vote(
        actor=request.user, motion=m, vote=request.POST.get("vote", ""), on_behalf_of=_id(request.POST.get("on_behalf_of"), field="on_behalf_of")),
        _("Your vote is recorded."))


@login_required
@require_POST
def motion_close(request, motion_id: int):
    def action(m):
        closed = services.motion_close(actor=request.user, motion=m)
        closed.message = (_("Passed: %(f)d for, %(a)d against, %(b)d abstaining.") if closed.passed
                          else _("Not passed: %(f)d for, %(a)d against, %(b)d abstaining.")) % {
            "f": closed.votes_for, "a": closed.votes_against, "b": closed.votes_abstain}
        return closed

    return _on_motion(request, motion_id, action, "")


@login_required
@require_POST
def convention_create(request, motion_id: int):
    motion = selectors.motion_get_for(request.user, motion_id)
    created = {}

    def action(m):
        created["c"] = services.convention_create(actor=request.user, community=m.meeting.community, title=request.POST.get("title", ""),
                                                  text=request.POST.get("text", ""), motion_id=m.pk)
        return created["c"]

    response = perform(request, lambda: action(motion), success=_("The convention is published; residents can sign it."),
                       then=redirect("deliberation:meeting", motion.meeting_id))
    return redirect("deliberation:convention", created["c"].pk) if created else response


def conventions(request):
    community = _id(request.GET.get("community"), field="community")
    return render(request, "deliberation/conventions.html",
                  {"conventions": selectors.convention_list({"community": community} if community else None)})


def convention(request, convention_id: int):
    convention = selectors.convention_get_for(request.user, convention_id)
    user = request.user
    return render(request, "deliberation/convention.html", {
        "convention": convention, "signed": selectors.has_signed(user, convention),
        "can_sign": user.is_authenticated and is_resident_of(user, convention.community_id),
        "rules": convention.rules.all(),
    })


@login_required
@require_POST
def sign(request, convention_id: int):
    convention = selectors.convention_get_for(request.user, convention_id)
    return perform(request, lambda: services.convention_sign(actor=request.user, convention=convention),
                   success=_("Thank you: you have signed the convention."), then=redirect("deliberation:convention", convention.pk))


@login_required
def awards(request, community_id: int):
    """Staff's conduct points desk: rules, proposing an award, approving the others' proposals."""
    community = selectors.community_for_deliberation(request.user, community_id)
    if not is_community_staff(request.user, community.pk):
        return error_page(request, PermissionDenied(_("Only staff of this community can do this."), code="not_staff"))
    awards = selectors.conduct_award_list(request.user, {"community": community.pk})
    return render(request, "deliberation/awards.html", {
        "community": community, "rules": selectors.conduct_rule_list({"community": community.pk}),
        "pending": awards.filter(status=ConductAward.Status.PENDING), "decided": awards.exclude(status=ConductAward.Status.PENDING)[:30],
        # Residents and volunteers (staff are rewarded by the district, not by each other here).
        "members": User.objects.filter(memberships__community=community, memberships__role__in=[Membership.Role.RESIDENT, Membership.Role.VOLUNTEER],
                                       is_active=True).exclude(pk=request.user.pk).distinct().order_by("display_name", "username"),
        "conventions": selectors.convention_list({"community": community.pk}),
    })


@login_required
@require_POST
def rule_create(request, community_id: int):
    def action(c):
        points = _id(request.POST.get("points"), field="points")
        return services.conduct_rule_create(actor=request.user, community=c, title=request.POST.get("title", ""), points=points or 0,
                                            convention_id=_id(request.POST.get("convention"), field="convention_id"))

    community = selectors.community_for_deliberation(request.user, community_id)
    return perform(request, lambda: action(community), success=_("The rule is written."), then=redirect("deliberation:awards", community.pk))


@login_required
@require_POST
def award_propose(request, community_id: int):
    """The rule is chosen in the form; the service refuses a rule of another community."""
    community = selectors.community_for_deliberation(request.user, community_id)

    def action():
        rule = selectors.conduct_rule_get_for(request.user, _id(request.POST.get("rule"), field="rule") or 0)
        return services.conduct_award_propose(actor=request.user, rule=rule, user_id=_id(request.POST.get("user"), field="user_id") or 0,
                                              evidence=request.POST.get("evidence", ""), photo=request.FILES.get("photo"))

    return perform(request, action, success=_("Proposed: a second staff member must approve it."), then=redirect("deliberation:awards", community.pk))


@login_required
@require_POST
def award_approve(request, award_id: int):
    award = selectors.conduct_award_get_for(request.user, award_id)
    return perform(request, lambda: services.conduct_award_approve(actor=request.user, award=award),
                   success=_("Approved: the points are paid."), then=redirect("deliberation:awards", award.community_id))


@login_required
@require_POST
def award_reject(request, award_id: int):
    award = selectors.conduct_award_get_for(request.user, award_id)
    return perform(request, lambda: services.conduct_award_reject(actor=request.user, award=award, reason=request.POST.get("reason", "")),
                   success=_("The award was not approved."), then=redirect("deliberation:awards", award.community_id))


def award_photo(request, award_id: int):
    """The evidence photo, to the resident it is for and the community's staff; 404 for anyone else."""
    award = selectors.conduct_award_get_for(request.user, award_id)
    return private_file_response(award.photo, download_name=f"conduct-award-{award.pk}")
