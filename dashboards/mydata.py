"""A person's own data (个人信息保护法: to see, take away and delete it): everything the platform
holds about them as one JSON document, and closing the account.

It reads and changes every app, so it sits on the dashboards floor. Closing an account deletes no
row: the ledger, hours totals, reviews and dashboards that point at the person stay whole and
balanced; what changes is that the person can no longer log in and their name is gone from
everything shown (``User.shown_name`` answers "Deleted user" once ``closed_at`` is set).
"""

import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, CommunityInvitation, Membership, Notification, OrganizationMember, User
from core.errors import Conflict, ValidationFailed
from funds.models import Donation
from marketplace.models import Comment, Need, Vote
from orders.models import Claim, ClaimCorrection, Review
from orders.services import claims_withdraw_for_closed_account
from points.models import Redemption
from points.selectors import person_balance, person_entries
from points.services import redemption_cancel

logger = logging.getLogger(__name__)

# The name a closed account keeps in the database (shown names come from ``CLOSED_ACCOUNT_NAME``).
CLOSED_DISPLAY_NAME = "已注销用户"


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _str(value):
    return None if value is None else str(value)


def my_data(user: User) -> dict:
    """Everything the platform holds about ``user``, for ``GET /api/v1/me/export``."""
    return {
        "exported_at": _iso(timezone.now()),
        "profile": {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "phone": user.phone,
            "bio": user.bio,
            "skills": list(user.skills.values_list("name", flat=True)),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "memberships": [
            {"community_id": m.community_id, "community": m.community.name, "role": m.role, "joined_at": _iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("community").order_by("id")
        ],
        "organizations": [
            {"organization_id": m.organization_id, "organization": m.organization.name, "role": m.role}
            for m in OrganizationMember.objects.filter(user=user).select_related("organization").order_by("id")
        ],
        "invitations": [
            {"community": i.community.name, "role": i.role, "status": i.status, "created_at": _iso(i.created_at)}
            for i in CommunityInvitation.objects.filter(user=user).select_related("community").order_by("id")
        ],
        "claims": [
            {
                "id": c.pk, "task_id": c.task_id, "task": c.task.title, "community": c.task.community.name,
                "starts_at": _iso(c.task.starts_at), "status": c.status, "note": c.note,
                "checked_in_at": _iso(c.checked_in_at), "checked_out_at": _iso(c.checked_out_at),
                "hours_claimed": _str(c.submitted_hours), "hours_credited": _str(c.credited_hours),
                "hours": _str(c.hours), "honour_hours": _str(c.honour_hours), "points_awarded": c.points_awarded,
                "created_at": _iso(c.created_at),
            }
            for c in Claim.objects.filter(user=user).select_related("task", "task__community").order_by("id")
        ],
        "corrections": [
            {
                "claim_id": k.claim_id, "hours_before": _str(k.hours_before), "hours": _str(k.hours), "reason": k.reason,
                "status": k.status, "reply": k.reply, "created_at": _iso(k.created_at), "decided_at": _iso(k.decided_at),
            }
            for k in ClaimCorrection.objects.filter(requested_by=user).order_by("id")
        ],
        "hours": _hours_totals(user),
        "points": {
            "balance": person_balance(user),
            "lines": [
                {
                    "community": e.account.community.name, "amount": e.amount, "balance_after": e.balance_after,
                    "kind": e.transaction.kind, "memo": e.transaction.memo_text, "at": _iso(e.created_at),
                }
                for e in person_entries(user).order_by("id")
            ],
        },
        "redemptions": [
            {"reward": r.reward.name, "quantity": r.quantity, "points": r.points, "status": r.status, "created_at": _iso(r.created_at)}
            for r in Redemption.objects.filter(user=user).select_related("reward").order_by("id")
        ],
        "needs": [
            {
                "id": n.pk, "community": n.community.name, "title": n.title, "description": n.description, "category": n.category,
                "status": n.status, "anonymous": n.anonymous, "created_at": _iso(n.created_at),
            }
            for n in Need.objects.filter(author=user).select_related("community").order_by("id")
        ],
        "reviews_written": [
            {"claim_id": r.claim_id, "contract_id": r.contract_id, "stars": r.stars, "comment": r.comment, "created_at": _iso(r.created_at)}
            for r in Review.objects.filter(author=user).order_by("id")
        ],
        "reviews_received": [
            {"claim_id": r.claim_id, "stars": r.stars, "comment": "" if r.hidden else r.comment, "created_at": _iso(r.created_at)}
            for r in Review.objects.filter(provider=user).order_by("id")
        ],
        "comments": [
            {"consultation_id": c.consultation_id, "body": c.body, "created_at": _iso(c.created_at)}
            for c in Comment.objects.filter(author=user).order_by("id")
        ],
        "votes": [{"consultation_id": v.consultation_id, "option": v.option.label} for v in Vote.objects.filter(user=user).select_related("option")],
        "donations": [
            {
                "id": d.pk, "community": d.community.name, "amount": d.amount, "currency": d.currency, "status": d.status,
                "refunded_amount": d.refunded_amount, "anonymous": d.anonymous, "donor_name": d.donor_name, "message": d.message,
                "created_at": _iso(d.created_at),
            }
            for d in Donation.objects.filter(donor=user).select_related("community").order_by("id")
        ],
        "notifications": [
            {"kind": n.kind, "message": n.text, "url": n.url, "read": n.read_at is not None, "created_at": _iso(n.created_at)}
            for n in Notification.objects.filter(user=user).order_by("id")
        ],
    }


def _hours_totals(user: User) -> dict:
    verified = Claim.objects.filter(user=user, status=Claim.Status.VERIFIED)
    hours = sum((c.hours or 0 for c in verified), 0)
    honour = sum((c.honour_hours for c in verified), 0)
    return {"services": verified.count(), "hours": str(hours), "honour_hours": str(honour)}


def account_close(*, actor: User, password: str) -> User:
    """Close one's own account, in one transaction: open claims are withdrawn (slots freed) and
    reserved redemptions cancelled (points and stock returned); then the name, contact details
    and login go. No row is deleted, so the ledger and every total stay balanced.
    400 ``wrong_password``; 409 ``superuser_account`` for the district admin."""
    if not actor.check_password(password or ""):
        raise ValidationFailed(_("Your password is not right."), code="wrong_password", field="password")
    if actor.is_superuser:
        raise Conflict(_("The district administrator's account cannot be closed here."), code="superuser_account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.closed_at is not None:
            return user
        withdrawn = claims_withdraw_for_closed_account(user=user)
        cancelled = 0
        for redemption in Redemption.objects.filter(user=user, status=Redemption.Status.RESERVED).select_related("reward"):
            redemption_cancel(actor=user, redemption=redemption)
            cancelled += 1
        # Donations stay (they are money received); the donor's name leaves the public lists.
        Donation.objects.filter(donor=user).update(anonymous=True, donor_name="")
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        user.username = f"deleted-{user.pk}-{secrets.token_hex(6)}"
        user.display_name = CLOSED_DISPLAY_NAME
        user.first_name = user.last_name = user.email = user.phone = user.bio = ""
        user.is_active = False
        user.is_staff = False
        user.closed_at = timezone.now()
        user.set_unusable_password()  # also ends every session (they are bound to the password hash)
        user.save()
        user.skills.clear()
    logger.info("User %s closed their account: %d claims withdrawn, %d redemptions cancelled", user.pk, withdrawn, cancelled)
    return user
