"""Conventions (居民公约 / 村规民约) agreed by a passed motion, and the residents who sign them.

Guarantees: a convention comes only from a passed motion of the community's own meetings (409
``motion_not_passed``), one per motion (409 ``convention_exists``); a resident of the community signs
once (409 ``already_signed``, whatever the race: the unique constraint decides)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Community, User
from accounts.selectors import is_resident_of
from core.errors import Conflict, PermissionDenied, ValidationFailed
from deliberation.models import Convention, ConventionSignature, Motion
from deliberation.services.common import clean_text, require_staff

__all__ = ["convention_create", "convention_sign"]


@transaction.atomic
def convention_create(*, actor: User, community: Community, title: str, text: str, motion_id: int) -> Convention:
    """Staff publish the convention a passed motion agreed."""
    require_staff(actor, community.pk)
    title = clean_text(title, field="title", max_length=120)
    text = clean_text(text, field="text", max_length=20000)
    motion = Motion.objects.filter(pk=motion_id, meeting__community=community).first()
    if motion is None:
        raise ValidationFailed(_("No such motion in this community's meetings."), code="invalid_motion", field="motion_id")
    if motion.status != Motion.Status.PASSED:
        raise Conflict(_("Only a motion that passed can become a convention."), code="motion_not_passed")
    if Convention.objects.filter(motion=motion).exists():
        raise Conflict(_("This motion already has its convention."), code="convention_exists")
    try:
        with transaction.atomic():
            return Convention.objects.create(community=community, motion=motion, title=title, text=text, created_by=actor)
    except IntegrityError:
        raise Conflict(_("This motion already has its convention."), code="convention_exists") from None


@transaction.atomic
def convention_sign(*, actor: User, convention: Convention) -> ConventionSignature:
    """A resident of the community accepts the convention (接受公约), once."""
    if not is_resident_of(actor, convention.community_id):
        raise PermissionDenied(_("Only residents of %(community)s sign its convention.") % {"community": convention.community.name}, code="not_a_resident")
    if ConventionSignature.objects.filter(convention=convention, user=actor).exists():
        raise Conflict(_("You have already signed this convention."), code="already_signed")
    try:
        with transaction.atomic():
            return ConventionSignature.objects.create(convention=convention, user=actor)
    except IntegrityError:  # a double tap: the other one signed
        raise Conflict(_("You have already signed this convention."), code="already_signed") from None
