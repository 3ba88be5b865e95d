"""Service cards, guardians and assisted use (代办): the people a service is for, including those
without a phone.

Guarantees:
- a person has at most one service card; renewing it replaces the code, and the old one stops
  working at once (``card_owner_by_code`` finds only current codes);
- only the resident names or removes their guardians, and a guardian acts for them only once the
  guardian accepted (until then the resident sees the name masked, as the people search shows it);
- staff act for a resident only inside a community where they are staff and the person is a
  resident, and each such act carries a consent note;
- a refusal raises an ``ApplicationError`` and writes nothing.
"""

import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Guardian, Membership, ServiceCard, User
from accounts.selectors import is_community_staff, is_resident_of
from accounts.services import notify
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.masking import mask_name

# No 0/O, 1/I/L: a code read aloud over the phone or typed from a printed card is not misread.
CARD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CARD_CODE_LENGTH = 8
CONSENT_NOTE_MAX = 200


def _new_code() -> str:
    return "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_CODE_LENGTH))


def _is_resident(user: User) -> bool:
    return Membership.objects.filter(user=user, role=Membership.Role.RESIDENT).exists()


def _card_for(user: User, *, issued_by: User | None, renew: bool) -> ServiceCard:
    """The person's card, written on first use; ``renew`` gives it a new code. A code collision
    (one in 31⁸) or two first uses at once are retried against the unique constraints."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                card = ServiceCard.objects.select_for_update().filter(user=user).first()
                if card is not None and not renew:
                    return card
                now = timezone.now()
                if card is None:
                    return ServiceCard.objects.create(user=user, code=_new_code(), issued_by=issued_by, issued_at=now)
                card.code, card.issued_by, card.issued_at = _new_code(), issued_by, now
                card.save(update_fields=["code", "issued_by", "issued_at"])
                return card
        except IntegrityError:
            continue
    raise Conflict(_("The card could not be issued; please try again."), code="card_not_issued")


def _check_card_rights(actor: User, user: User, community: Community | None) -> None:
    if community is None:
        if actor.pk != user.pk:
            raise PermissionDenied()
        if not _is_resident(user):
            raise PermissionDenied(_("Service cards are for residents: join a community as a resident first."), code="not_a_resident")
        return
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can do this."))
    if not is_resident_of(user, community.pk):
        raise NotFound(code="user_not_found")


def service_card_get(*, actor: User, user: User | None = None, community: Community | None = None) -> ServiceCard:
    """A resident's own card (``community`` None), or staff's copy for a resident of their
    community (to print it for someone without a phone). Issued on first use."""
    user = user or actor
    _check_card_rights(actor, user, community)
    return _card_for(user, issued_by=actor, renew=False)


def service_card_renew(*, actor: User, user: User | None = None, community: Community | None = None) -> ServiceCard:
    """A new code for a lost or shown-around card: the old code stops working at once."""
    user = user or actor
    _check_card_rights(actor, user, community)
    return _card_for(user, issued_by=actor, renew=True)


# --- Guardians ------------------------------------------------------------------------------------
def guardian_add(*, actor: User, guardian: User) -> Guardian:
    """A resident names a family member or neighbour who may confirm services and leave reviews
    for them. The link waits for the other person's yes (``guardian_accept``); they are told. 409
    ``already_guardian`` when named already. The answer never shows more of the other person than
    the people search does (the name masked)."""
    if not _is_resident(actor):
        raise PermissionDenied(_("Guardians are named by residents: join a community as a resident first."), code="not_a_resident")
    if guardian.pk == actor.pk or not guardian.is_active:
        raise ValidationFailed(_("Name someone else as your guardian."), code="invalid_guardian", field="user_id")
    already = Conflict(_("%(name)s is already your guardian.") % {"name": mask_name(guardian.shown_name)}, code="already_guardian")
    if Guardian.objects.filter(resident=actor, guardian=guardian).exists():
        raise already
    try:
        with transaction.atomic():
            link = Guardian.objects.create(resident=actor, guardian=guardian)
            notify(user=guardian, kind="guardian", code="guardian_request", params={"name": actor.shown_name}, url=reverse("guardians"))
            return link
    except IntegrityError:
        raise already from None


@transaction.atomic
def guardian_accept(*, actor: User, resident_id: int) -> Guardian:
    """The person named answers yes: from now on they may act for the resident, who is told."""
    link = Guardian.objects.select_for_update().select_related("resident").filter(resident_id=resident_id, guardian=actor).first()
    if link is None:
        raise NotFound(_("Nobody asked you to be their guardian."), code="guardian_request_not_found")
    if link.accepted_at is None:
        link.accepted_at = timezone.now()
        link.save(update_fields=["accepted_at"])
        notify(user=link.resident, kind="guardian", code="guardian_accepted", params={"name": actor.shown_name}, url=reverse("guardians"))
    return link


def guardian_decline(*, actor: User, resident_id: int) -> None:
    """The person named says no (or steps down later): the link is gone."""
    deleted, _rows = Guardian.objects.filter(resident_id=resident_id, guardian=actor).delete()
    if not deleted:
        raise NotFound(_("Nobody asked you to be their guardian."), code="guardian_request_not_found")


def guardian_remove(*, actor: User, guardian_id: int) -> None:
    """The resident removes a guardian; from then on the guardian can no longer act for them."""
    deleted, _rows = Guardian.objects.filter(resident=actor, guardian_id=guardian_id).delete()
    if not deleted:
        raise NotFound(code="guardian_not_found")


# --- Assisted use ---------------------------------------------------------------------------------
def consent_note_clean(note: str | None) -> str:
    """Every act of staff on a resident's behalf says how the resident agreed (a visit, a call)."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say how the resident agreed (for example: by phone, at the desk)."), code="required", field="consent_note")
    if len(note) > CONSENT_NOTE_MAX:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": CONSENT_NOTE_MAX}, code="too_long", field="consent_note")
    return note


def acting_for_resident(*, actor: User, user_id: int, community_id: int | None = None) -> User:
    """The resident staff act for (``on_behalf_of``): 403 for someone who is not staff anywhere,
    404 for a person who is not a resident of a community the actor staffs (or of ``community_id``)."""
    communities = Membership.objects.filter(user=actor, role=Membership.Role.STAFF).values("community_id")
    if not actor.is_superuser and not communities.exists():
        raise PermissionDenied(_("Only community staff can act on a resident's behalf."), code="not_staff")
    residents = User.objects.filter(pk=user_id, is_active=True, memberships__role=Membership.Role.RESIDENT)
    if community_id is not None:
        residents = residents.filter(memberships__community_id=community_id)
    if not actor.is_superuser:
        residents = residents.filter(memberships__community_id__in=communities)
    resident = residents.distinct().first()
    if resident is None:
        raise NotFound(_("No such resident in your community."), code="user_not_found", field="on_behalf_of")
    return resident


def resident_register_assisted(*, actor: User, community: Community, display_name: str, phone: str = "") -> User:
    """Staff register a resident who has no phone: an account nobody can log in to (an unusable
    password), a resident membership of the community and a service card to print."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can do this."))
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_("Give the resident's name."), code="required", field="display_name")
    if len(display_name) > 60:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": 60}, code="too_long", field="display_name")
    phone = (phone or "").strip()[:20]
    with transaction.atomic():
        for _attempt in range(5):
            username = f"r{secrets.randbelow(10**9):09d}"
            if not User.objects.filter(username__iexact=username).exists():
                break
        user = User(username=username, display_name=display_name, phone=phone)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, community=community, role=Membership.Role.RESIDENT, added_by=actor)
        _card_for(user, issued_by=actor, renew=False)
    return user


__all__ = [
    "service_card_get",
    "service_card_renew",
    "guardian_add",
    "guardian_remove",
    "consent_note_clean",
    "acting_for_resident",
    "resident_register_assisted",
]
