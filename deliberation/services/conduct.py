"""Conduct points (积分制): rules, awards proposed with evidence, approved by a second staff member.

Guarantees:
- a rule belongs to one community; its convention, if any, is of the same community;
- an award is for a member of the rule's community, proposed by staff of that community
  (403 ``rule_other_community`` for staff of another), with evidence;
- the two-person rule of 积分评议: the proposer may not approve their own (403 ``own_award``),
  backed by a CHECK constraint;
- approval pays through the points ledger's award path (``points.services.points_award``: kind
  AWARD, memo code ``points_conduct``, the award as the transaction's subject, idempotency key
  ``conduct-award:<id>``), in the same transaction as the move pending → approved, a conditional
  UPDATE: two approvals at once pay once, the loser gets 409 ``invalid_transition``; a pool too
  small refuses it (409 ``insufficient_pool_points``) and leaves the award pending.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Membership, User
from accounts.selectors import is_any_staff, is_community_staff
from accounts.services import notify
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.uploads import check_attachment
from deliberation.models import ConductAward, ConductAwardStatusChange, ConductRule, Convention
from deliberation.services.common import clean_text, require_staff
from points.services import points_award

__all__ = ["conduct_rule_create", "conduct_award_propose", "conduct_award_approve", "conduct_award_reject", "MAX_RULE_POINTS", "CONDUCT_MEMO"]

MAX_RULE_POINTS = 1000
CONDUCT_MEMO = "points_conduct"


@transaction.atomic
def conduct_rule_create(*, actor: User, community: Community, title: str, points: int, convention_id: int | None = None) -> ConductRule:
    require_staff(actor, community.pk)
    title = clean_text(title, field="title", max_length=120)
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_RULE_POINTS:
        raise ValidationFailed(_("Points must be a whole number from 1 to %(n)d.") % {"n": MAX_RULE_POINTS}, code="invalid_points", field="points")
    convention = None
    if convention_id is not None:
        convention = Convention.objects.filter(pk=convention_id, community=community).first()
        if convention is None:
            raise ValidationFailed(_("No such convention in this community."), code="invalid_convention", field="convention_id")
    return ConductRule.objects.create(community=community, convention=convention, title=title, points=points, created_by=actor)


@transaction.atomic
def conduct_award_propose(*, actor: User, rule: ConductRule, user_id: int, evidence: str, photo=None) -> ConductAward:
    """Staff of the rule's community propose an award with evidence; the other staff are asked to approve."""
    if not is_community_staff(actor, rule.community_id):
        if is_any_staff(actor):  # staff elsewhere, naming a rule of a community they do not staff
            raise PermissionDenied(_("This rule belongs to another community."), code="rule_other_community")
        raise PermissionDenied(_("Only staff of this community can do this."), code="not_staff")
    evidence = clean_text(evidence, field="evidence", max_length=2000)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not Membership.objects.filter(user=user, community_id=rule.community_id).exists():
        raise ValidationFailed(_("That person is not a member of this community."), code="not_a_member", field="user_id")
    if user.pk == actor.pk:
        raise PermissionDenied(_("Staff cannot award points to themselves."), code="self_award")
    if photo:
        check_attachment(photo, field="photo")
    award = ConductAward.objects.create(
        rule=rule, community_id=rule.community_id, user=user, points=rule.points, evidence=evidence, photo=photo or "", proposed_by=actor
    )
    ConductAwardStatusChange.objects.create(award=award, from_status="", to_status=ConductAward.Status.PENDING, actor=actor)
    params = {"name": actor.shown_name, "points": rule.points, "rule": rule.title}
    url = reverse("deliberation:awards", args=[rule.community_id])
    others = User.objects.filter(memberships__community_id=rule.community_id, memberships__role=Membership.Role.STAFF, is_active=True)
    for staff in others.exclude(pk=actor.pk).distinct():
        notify(user=staff, kind="deliberation", code="conduct_to_approve", params=params, url=url)
    return award


def _decide(*, actor: User, award: ConductAward, to: str, note: str = "") -> ConductAward:
    require_staff(actor, award.community_id)
    if award.proposed_by_id == actor.pk:
        raise PermissionDenied(_("A second staff member must decide on an award you proposed."), code="own_award")
    if award.user_id == actor.pk:
        raise PermissionDenied(_("Staff cannot award points to themselves."), code="self_award")
    now = timezone.now()
    # The race this stops: two staff approving at once. Only one UPDATE finds it pending.
    if not ConductAward.objects.filter(pk=award.pk, status=ConductAward.Status.PENDING).update(status=to, decided_by=actor, decided_at=now):
        raise Conflict(_("This award was already decided."), code="invalid_transition")
    ConductAwardStatusChange.objects.create(award=award, from_status=ConductAward.Status.PENDING, to_status=to, actor=actor, note=note[:200])
    award.status, award.decided_by, award.decided_at = to, actor, now
    return award


@transaction.atomic
def conduct_award_approve(*, actor: User, award: ConductAward) -> ConductAward:
    """A second staff member approves: the ledger pays the points (once), the resident is told why."""
    _decide(actor=actor, award=award, to=ConductAward.Status.APPROVED)
    result = points_award(
        actor=actor, community=award.community, user=award.user, amount=award.points, idempotency_key=f"conduct-award:{award.pk}",
        memo_code=CONDUCT_MEMO, memo_params={"rule": award.rule.title}, subject=award,
    )
    award.points_paid = result.awarded
    ConductAward.objects.filter(pk=award.pk).update(points_paid=result.awarded)
    notify(user=award.user, kind="points", code="conduct_awarded", params={"points": result.awarded, "rule": award.rule.title, "evidence": award.evidence[:100]},
           url=reverse("points:mine"))
    return award


@transaction.atomic
def conduct_award_reject(*, actor: User, award: ConductAward, reason: str) -> ConductAward:
    reason = clean_text(reason, field="reason", max_length=200)
    return _decide(actor=actor, award=award, to=ConductAward.Status.REJECTED, note=reason)
