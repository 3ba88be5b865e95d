"""Every change to people, communities and organisations goes through these functions.

Pages, the API, the admin and management commands only parse input, call one of these and shape
the output; the rules live here once. Each function runs in one transaction: it either does all of
what it says or raises an ``ApplicationError`` and writes nothing.
"""

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from accounts import notices
from accounts.models import (
    ApiToken,
    Community,
    CommunityInvitation,
    District,
    Membership,
    Notification,
    Organization,
    OrganizationMember,
    OrganizationStatusChange,
    Skill,
    Street,
    User,
)
from accounts.selectors import is_community_staff, is_organization_admin, staff_community_ids
from accounts.validators import is_valid_credit_code, normalize_credit_code
from core import pubcache
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, RateLimited, ValidationFailed
from core.realtime import push_after_commit, send_now, user_group

MAX_SKILLS = 20

logger = logging.getLogger(__name__)


# --- Registration and profile ------------------------------------------------------------------
def _clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("%(label)s is required.") % {"label": label}, code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s may have at most %(n)d characters.") % {"label": label, "n": max_length},
            code="too_long",
            field=field,
        )
    return text


def _clean_email(value: str | None) -> str:
    """An email address, or "" for none; 400 ``invalid_email``. Several accounts may share one (a
    family's address): a password reset then writes to each of them."""
    email = (value or "").strip()
    if not email:
        return ""
    try:
        if len(email) > 254:
            raise DjangoValidationError("too long")
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(_("Enter a valid email address."), code="invalid_email", field="email") from None
    return email


def user_register(*, username: str, password: str, display_name: str = "", email: str = "") -> User:
    """Create a person's account. Refuses a taken name (409 ``username_taken``) and a weak password
    (400 ``weak_password``); two registrations racing for one name give one account."""
    username = _clean_text(username, field="username", label=_("Username"), max_length=150)
    display_name = _clean_text(display_name, field="display_name", label=_("Display name"), max_length=60, required=False)
    email = _clean_email(email)
    username_field = User._meta.get_field("username")
    try:
        for validator in username_field.validators:
            validator(username)
    except DjangoValidationError:
        raise ValidationFailed(
            _("A username may contain only letters, digits and @ . + - _"), code="invalid_username", field="username"
        ) from None
    candidate = User(username=username, display_name=display_name, email=email)
    # The password first: whether a name is taken is told only to someone who could register it.
    try:
        validate_password(password or "", user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", field="password") from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("This username is already taken."), code="username_taken", field="username")
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # Another request registered the same name between our check and our insert.
        raise Conflict(_("This username is already taken."), code="username_taken", field="username") from None
    return candidate


def profile_update(
    *, actor: User, display_name: str, phone: str = "", bio: str = "", skills: list[str] | None = None, email: str | None = None
) -> User:
    """Change one's own profile (``email=None``: unchanged). Skills are free tags, created on first use."""
    display_name = _clean_text(display_name, field="display_name", label=_("Display name"), max_length=60, required=False)
    email = actor.email if email is None else _clean_email(email)
    phone = _clean_text(phone, field="phone", label=_("Phone"), max_length=20, required=False)
    if phone and not all(ch.isdigit() or ch in "+- " for ch in phone):
        raise ValidationFailed(_("A phone number may contain only digits, spaces, + and -."), code="invalid_phone", field="phone")
    bio = _clean_text(bio, field="bio", label=_("About me"), max_length=2000, required=False)
    names = _clean_skills(skills or [])
    with transaction.atomic():
        actor.display_name, actor.phone, actor.bio, actor.email = display_name, phone, bio, email
        actor.save(update_fields=["display_name", "phone", "bio", "email"])
        actor.skills.set([Skill.objects.get_or_create(name=name)[0] for name in names])
    return actor


def account_update(*, actor: User, display_name: str | None = None, email: str | None = None) -> User:
    """``PATCH /me``: change the display name and/or the email; a field left out stays as it is."""
    fields = []
    if display_name is not None:
        actor.display_name = _clean_text(display_name, field="display_name", label=_("Display name"), max_length=60, required=False)
        fields.append("display_name")
    if email is not None:
        actor.email = _clean_email(email)
        fields.append("email")
    if fields:
        actor.save(update_fields=fields)
    return actor


def _clean_skills(raw: list[str]) -> list[str]:
    names: list[str] = []
    for item in raw:
        name = (item or "").strip()
        if not name or name in names:
            continue
        if len(name) > 40:
            raise ValidationFailed(_("A skill may have at most 40 characters."), code="too_long", field="skills")
        names.append(name)
    if len(names) > MAX_SKILLS:
        raise ValidationFailed(_("At most %(n)d skills.") % {"n": MAX_SKILLS}, code="too_many", field="skills")
    return names


# --- API tokens ----------------------------------------------------------------------------------
def hash_token(raw: str) -> str:
    """How a token is stored (and how core/pubcache.py recognises it): its SHA-256."""
    return hashlib.sha256(raw.encode()).hexdigest()


_hash_token = hash_token


def token_obtain(*, request, username: str, password: str) -> str:
    """Check a name and password and issue a new bearer token (returned once, stored hashed).

    Repeated failures for one name or from one address lock them out for a while (429
    ``rate_limited``); django-axes counts the failures in the database, so every server process
    sees the same count."""
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise RateLimited()
    if user is None or not user.is_active:
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    return token_create(user=user)


def can_unlock(actor: User, user: User) -> bool:
    """The district admin may unlock anyone; community staff, the members of their communities."""
    if not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return Membership.objects.filter(user=user, community_id__in=staff_community_ids(actor)).exists()


def lockout_reset(*, actor: User, user: User) -> int:
    """Lift the login lockout of ``user`` so they can log in again at once; returns how many
    recorded attempts were cleared. Nothing to clear is no error, so a double click or a retried
    call is harmless.

    Only the failures recorded for this person's username are cleared, through django-axes' own
    reset (which also clears its cache). The address they failed from is then free of these
    failures too, but an address that also failed for other names (someone trying many accounts)
    stays locked: that is not the person's lockout to lift."""
    if not can_unlock(actor, user):
        raise PermissionDenied(_("Only staff of a community this person belongs to can unlock their account."))

    with transaction.atomic():
        # The name as typed at the login: "Wang" and "wang" are one account, and axes counts each.
        typed = set(AccessAttempt.objects.filter(username__iexact=user.username).values_list("username", flat=True))
        cleared = sum(reset(username=name) for name in typed)
    logger.info("Login lockout of user %s lifted by user %s (%d attempts cleared)", user.pk, actor.pk, cleared)
    return cleared


def token_create(*, user: User) -> str:
    """A new bearer token. Signing in is its first use: ``last_used_at`` starts there, so the calls
    that follow at once do not each write it (``token_authenticate`` records use every 5 minutes)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(raw),
        prefix=raw[:8],
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        last_used_at=now,
    )
    return raw


def token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None for an unknown, expired or revoked token."""
    if not raw:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Record use at most every few minutes, so a busy client does not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def password_change(*, actor: User, old_password: str, new_password: str) -> str:
    """Change one's own password and return a fresh API token. Every other token of the person is
    revoked; their sessions stop working too, because Django checks each session against a hash
    of the password (the page that called this keeps its own session with
    ``update_session_auth_hash``). 400 ``wrong_password``, 400 ``weak_password``; nothing written then."""
    if not actor.is_authenticated or not actor.check_password(old_password or ""):
        raise ValidationFailed(_("Your current password is not right."), code="wrong_password", field="old_password")
    try:
        validate_password(new_password or "", user=actor)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", field="new_password") from None
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        ApiToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token = token_create(user=actor)
    logger.info("User %s changed their password; their other tokens and sessions were ended", actor.pk)
    return token


# --- Password reset by email -------------------------------------------------------------------
RESET_EMAIL_TEMPLATE = "accounts/password_reset_email.txt"
RESET_SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"


def password_reset_request(*, request, email: str) -> None:
    """Send a reset link (``<SITE_URL>/accounts/reset/<uid>/<token>/``, never the request's Host:
    issue #36.5) to every active
    account with this address, through Django's mail settings. Says nothing about whether one
    exists: the caller answers the same either way. The page (Django's ``PasswordResetView``) uses
    the same form and templates."""
    form = PasswordResetForm({"email": (email or "").strip()[:254]})
    if not form.is_valid():
        return  # not an address: nobody to write to, and nothing to tell
    form.save(
        request=request,
        use_https=request.is_secure(),
        subject_template_name=RESET_SUBJECT_TEMPLATE,
        email_template_name=RESET_EMAIL_TEMPLATE,
        from_email=settings.DEFAULT_FROM_EMAIL,
        extra_email_context=reset_email_context(),
    )


def reset_email_context() -> dict:
    """Every link in a reset email starts with ``SITE_URL``: a forged ``Host`` header must not
    send a person's reset token to another site (issue #36.5)."""
    return {"site_url": settings.SITE_URL}


def password_set(*, user: User, new_password: str) -> None:
    """Set a new password and end every token and session of the person (sessions end because
    Django checks each against a hash of the password). 400 ``weak_password``."""
    try:
        validate_password(new_password or "", user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", field="new_password") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    logger.info("User %s set a new password; their tokens and sessions were ended", user.pk)


def password_reset_user(*, uid: str, token: str) -> User:
    """The person a reset link is for; 400 ``invalid_reset_link`` for a forged, used or expired one
    (the token is bound to the password, so it works once)."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid or "")), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist, DjangoValidationError):
        user = None
    if user is None or not default_token_generator.check_token(user, token or ""):
        raise ValidationFailed(
            _("This password reset link is not valid: it was used already or has expired. Ask for a new one."), code="invalid_reset_link"
        )
    return user


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    user = password_reset_user(uid=uid, token=token)
    password_set(user=user, new_password=new_password)
    return user


def token_revoke(*, actor: User, raw: str) -> None:
    """Revoke the caller's own token; revoking twice is harmless."""
    ApiToken.objects.filter(user=actor, key_hash=_hash_token(raw), revoked_at__isnull=True).update(revoked_at=timezone.now())
    pubcache.forget_viewers([_hash_token(raw)])
    sockets_recheck(actor.pk)  # a socket opened with this token closes (issue #36.3)


def sockets_recheck(user_id: int, *, ended_session: str | None = None) -> None:
    """After the transaction: every websocket of the person checks its token or session again and
    closes if it no longer holds (``accounts.consumers``); a socket of ``ended_session`` (a session
    being ended by logout) closes at once. Issue #36.3."""
    if user_id is not None:
        push_after_commit(user_group(user_id), {"type": "credentials.check", "ended_session": ended_session})


# --- Communities and memberships ---------------------------------------------------------------
def community_create(*, actor: User, name: str, street: str, district: str, description: str = "") -> Community:
    """The district admin creates a community, creating its street and district on first use."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only the district administrator can create communities."))
    name = _clean_text(name, field="name", label=_("Community name"), max_length=60)
    street = _clean_text(street, field="street", label=_("Street"), max_length=60)
    district = _clean_text(district, field="district", label=_("District"), max_length=60)
    try:
        with transaction.atomic():
            district_obj, _created = District.objects.get_or_create(name=district)
            street_obj, _created = Street.objects.get_or_create(district=district_obj, name=street)
            if Community.objects.filter(street=street_obj, name=name).exists():
                raise Conflict(_("This community already exists in that street."), code="community_exists", field="name")
            return Community.objects.create(street=street_obj, name=name, description=description.strip())
    except IntegrityError:
        raise Conflict(_("This community already exists in that street."), code="community_exists", field="name") from None


def _check_role(role: str, allowed: list[str]) -> str:
    if role not in allowed:
        labels = ", ".join(str(Membership.Role(r).label) for r in allowed)
        raise ValidationFailed(_("Unknown role. Choose one of: %(roles)s.") % {"roles": labels}, code="invalid_role", field="role")
    return role


def _membership_create(*, user: User, community: Community, role: str, added_by: User | None) -> Membership:
    if Membership.objects.filter(user=user, community=community, role=role).exists():
        raise Conflict(_("Already a member of this community in that role."), code="already_member")
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, community=community, role=role, added_by=added_by)
    except IntegrityError:
        raise Conflict(_("Already a member of this community in that role."), code="already_member") from None


def membership_join(*, actor: User, community: Community, role: str) -> Membership:
    """A person joins a community as resident or volunteer (not as staff: staff are appointed)."""
    role = _check_role(role, [Membership.Role.RESIDENT, Membership.Role.VOLUNTEER])
    return _membership_create(user=actor, community=community, role=role, added_by=actor)


def membership_add(*, actor: User, community: Community, user: User, role: str) -> "Membership | CommunityInvitation":
    """Staff of the community (or the district admin) add a person in any role, staff included.

    Nobody is pulled into a community without consent: for a person who is not yet a member of
    this community, staff only invite (the ``CommunityInvitation`` is returned, nothing else
    changes until the person accepts). A person already in the community may be given another
    role at once. The district admin adds at once."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can add its members."))
    role = _check_role(role, list(Membership.Role.values))
    if actor.is_superuser or Membership.objects.filter(user=user, community=community).exists():
        return _membership_create(user=user, community=community, role=role, added_by=actor)
    return invitation_create(actor=actor, community=community, user=user, role=role)


def invitation_create(*, actor: User, community: Community, user: User, role: str) -> CommunityInvitation:
    """Invite a person into ``community`` in ``role`` (staff of it only) and tell them. Inviting
    again while an invitation is open returns that one and tells nobody twice."""
    if not is_community_staff(actor, community.pk):
        raise PermissionDenied(_("Only staff of this community can add its members."))
    role = _check_role(role, list(Membership.Role.values))
    if Membership.objects.filter(user=user, community=community, role=role).exists():
        raise Conflict(_("Already a member of this community in that role."), code="already_member")
    open_invitation = CommunityInvitation.objects.filter(
        user=user, community=community, role=role, status=CommunityInvitation.Status.PENDING
    ).first()
    if open_invitation is not None:
        return open_invitation
    try:
        with transaction.atomic():
            invitation = CommunityInvitation.objects.create(community=community, user=user, role=role, invited_by=actor)
            notify(
                user=user,
                kind="community_invitation",
                code="community_invitation",
                params={"staff": actor.shown_name, "community": community.name, "role": notices.label(Membership.Role(role))},
                url=reverse("accounts:invitations"),
            )
    except IntegrityError:
        # Two clicks racing: the partial unique index kept one open invitation; return it.
        return CommunityInvitation.objects.get(user=user, community=community, role=role, status=CommunityInvitation.Status.PENDING)
    return invitation


def _own_pending_invitation(*, actor: User, invitation_id: int) -> CommunityInvitation:
    # Someone else's invitation does not exist for the caller (404, not 403).
    invitation = CommunityInvitation.objects.select_related("community", "invited_by").filter(pk=invitation_id, user=actor).first()
    if invitation is None or not actor.is_authenticated:
        raise NotFound(_("No such invitation."), code="invitation_not_found")
    return invitation


def invitation_accept(*, actor: User, invitation_id: int) -> Membership:
    """The invited person accepts: they become a member in the invited role. Staff never make
    someone staff of a community they do not staff themselves: if the inviter is no longer staff
    there, the invitation has lapsed (409 ``invitation_lapsed``)."""
    invitation = _own_pending_invitation(actor=actor, invitation_id=invitation_id)
    with transaction.atomic():
        # Conditional update: of two accepts (or an accept and a decline) racing, one wins.
        if invitation.status != CommunityInvitation.Status.PENDING:
            raise Conflict(_("This invitation was already answered."), code="invitation_answered")
        if not is_community_staff(invitation.invited_by, invitation.community_id):
            raise Conflict(
                _("Whoever invited you is no longer staff of this community, so the invitation has lapsed."), code="invitation_lapsed"
            )
        moved = CommunityInvitation.objects.filter(pk=invitation.pk, status=CommunityInvitation.Status.PENDING).update(
            status=CommunityInvitation.Status.ACCEPTED, decided_at=timezone.now()
        )
        if not moved:
            raise Conflict(_("This invitation was already answered."), code="invitation_answered")
        existing = Membership.objects.filter(user=actor, community_id=invitation.community_id, role=invitation.role).first()
        if existing is not None:
            return existing  # joined by themselves meanwhile: the invitation is simply fulfilled
        return _membership_create(user=actor, community=invitation.community, role=invitation.role, added_by=invitation.invited_by)


def invitation_decline(*, actor: User, invitation_id: int) -> CommunityInvitation:
    """The invited person declines; nothing else changes. Declining twice is harmless."""
    invitation = _own_pending_invitation(actor=actor, invitation_id=invitation_id)
    if invitation.status == CommunityInvitation.Status.DECLINED:
        return invitation
    moved = CommunityInvitation.objects.filter(pk=invitation.pk, status=CommunityInvitation.Status.PENDING).update(
        status=CommunityInvitation.Status.DECLINED, decided_at=timezone.now()
    )
    if not moved:
        raise Conflict(_("This invitation was already answered."), code="invitation_answered")
    invitation.refresh_from_db()
    return invitation


def membership_leave(*, actor: User, membership: Membership) -> None:
    if membership.user_id != actor.pk and not is_community_staff(actor, membership.community_id):
        raise PermissionDenied()
    membership.delete()


# --- Organisations -----------------------------------------------------------------------------
def organization_create(
    *, actor: User, name: str, kind: str, credit_code: str, community: Community | None = None, description: str = ""
) -> Organization:
    """Register an organisation, pending verification; the caller becomes its administrator."""
    name = _clean_text(name, field="name", label=_("Organisation name"), max_length=120)
    if kind not in Organization.Kind.values:
        labels = ", ".join(str(label) for label in Organization.Kind.labels)
        raise ValidationFailed(_("Unknown kind. Choose one of: %(kinds)s.") % {"kinds": labels}, code="invalid_kind", field="kind")
    code = normalize_credit_code(credit_code)
    if not is_valid_credit_code(code):
        raise ValidationFailed(
            _("This is not a valid unified social credit code (18 characters, with a correct check character)."),
            code="invalid_credit_code",
            field="credit_code",
        )
    taken = Conflict(_("An organisation with this credit code is already registered."), code="credit_code_taken", field="credit_code")
    if Organization.objects.filter(credit_code=code).exists():
        raise taken
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=name, kind=kind, credit_code=code, community=community, description=description.strip(), created_by=actor
            )
            OrganizationMember.objects.create(organization=org, user=actor, role=OrganizationMember.Role.ADMIN)
    except IntegrityError:
        raise taken from None
    return org


def can_review_organization(user: User, organization: Organization) -> bool:
    """Staff of the organisation's home community; any community's staff when it has none."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = Membership.objects.filter(user=user, role=Membership.Role.STAFF)
    if organization.community_id:
        staff = staff.filter(community_id=organization.community_id)
    return staff.exists()


ORGANIZATION_TRANSITIONS = {
    Organization.Status.PENDING: {Organization.Status.VERIFIED, Organization.Status.SUSPENDED},
    Organization.Status.VERIFIED: {Organization.Status.SUSPENDED},
    Organization.Status.SUSPENDED: {Organization.Status.VERIFIED},
}


def _organization_transition(*, actor: User, organization: Organization, to: str, reason: str = "") -> Organization:
    if not can_review_organization(actor, organization):
        raise PermissionDenied(_("Only staff can verify or suspend this organisation."))
    with transaction.atomic():
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        if current.status == to:
            return current  # a retried request finds the work done
        if to not in ORGANIZATION_TRANSITIONS[current.status]:
            raise Conflict(_("This organisation cannot move from this status to that one."), code="invalid_transition")
        now = timezone.now()
        # Conditional update: if another request moved it since we read it, we change nothing.
        moved = Organization.objects.filter(pk=current.pk, status=current.status).update(
            status=to, status_changed_by=actor, status_changed_at=now, status_reason=reason
        )
        if not moved:
            raise Conflict(_("This organisation was changed by someone else; please reload."), code="invalid_transition")
        OrganizationStatusChange.objects.create(
            organization=current, from_status=current.status, to_status=to, actor=actor, reason=reason
        )
        current.refresh_from_db()
        return current


def organization_verify(*, actor: User, organization: Organization) -> Organization:
    """Staff confirm an organisation is real; verifying twice changes nothing."""
    return _organization_transition(actor=actor, organization=organization, to=Organization.Status.VERIFIED)


def organization_suspend(*, actor: User, organization: Organization, reason: str) -> Organization:
    reason = _clean_text(reason, field="reason", label=_("Reason"), max_length=200)
    return _organization_transition(actor=actor, organization=organization, to=Organization.Status.SUSPENDED, reason=reason)


PUBLIC_PHONE = re.compile(r"^[0-9+()\- ]{5,30}$")


def organization_contact_update(
    *, actor: User, organization: Organization, contact_person: str = "", contact_phone: str = "", contact_address: str = ""
) -> Organization:
    """The organisation's administrator publishes (or, with empty values, withdraws) the contact
    details shown on its public page: a contact person, a phone and an address."""
    if not (actor.is_superuser or is_organization_admin(actor, organization.pk)):
        raise PermissionDenied(_("Only an administrator of this organisation can change its contact details."))
    person = _clean_text(contact_person, field="contact_person", label=_("Contact person"), max_length=60, required=False)
    phone = _clean_text(contact_phone, field="contact_phone", label=_("Public phone"), max_length=30, required=False)
    address = _clean_text(contact_address, field="contact_address", label=_("Public address"), max_length=200, required=False)
    if phone and not PUBLIC_PHONE.match(phone):
        raise ValidationFailed(_("A phone number has digits, spaces, +, - and brackets only."), code="invalid_phone", field="contact_phone")
    Organization.objects.filter(pk=organization.pk).update(contact_person=person, contact_phone=phone, contact_address=address)
    organization.contact_person, organization.contact_phone, organization.contact_address = person, phone, address
    return organization


def organization_member_add(*, actor: User, organization: Organization, user: User) -> OrganizationMember:
    """An organisation's administrator adds a member who may then act for it."""
    if not (actor.is_superuser or is_organization_admin(actor, organization.pk)):
        raise PermissionDenied(_("Only an administrator of this organisation can add its members."))
    already = Conflict(_("This person is already a member of the organisation."), code="already_member")
    if OrganizationMember.objects.filter(organization=organization, user=user).exists():
        raise already
    try:
        with transaction.atomic():
            return OrganizationMember.objects.create(organization=organization, user=user, role=OrganizationMember.Role.MEMBER)
    except IntegrityError:
        raise already from None


# --- Notifications ---------------------------------------------------------------------------------
def notify(*, user: User, kind: str, code: str = "", params: dict | None = None, url: str = "", message: str = "") -> None:
    """Tell a person something: the notification (and what hangs on it: reach's outbox email, on
    post_save) is written in the current transaction, so it exists exactly when the change does
    (never for a change rolled back, never lost after one committed, whatever an outside system
    does after the commit; issue #27). Only the live push waits for the commit. ``code`` names a
    sentence in ``accounts/notices.py`` and ``params`` fills it (labels to translate as
    ``notices.label(...)``): each reader sees it in their own language. The sentence in the active
    language is also kept in ``message``, for a code that later disappears."""
    params = params or {}
    message = str(message or notices.render(code, params, code))[:300]
    with transaction.atomic():
        notification_store(user=user, kind=kind, code=code, params=params, message=message, url=url)


def notification_store(*, user: User, kind: str, message: str, url: str = "", code: str = "", params: dict | None = None) -> Notification:
    """Store a notification inside the caller's transaction (so it is written together with, say,
    the record that it was sent) and push it live once that transaction commits."""
    message = str(message)[:300]
    note = Notification.objects.create(user=user, kind=kind, code=code, params=params or {}, message=message, url=url)

    def push():
        # Stored first, so a person who is offline (or a Redis that is down) loses nothing.
        send_now(
            user_group(user.pk),
            {
                "type": "notification.new",
                "notification": {
                    "id": note.pk,
                    "kind": kind,
                    "message": message,
                    "url": url,
                    "created_at": timezone.localtime(note.created_at).isoformat(timespec="seconds"),
                },
            },
        )

    transaction.on_commit(push)
    return note


def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the caller's notifications read (all of them, or the given ids); returns how many."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
