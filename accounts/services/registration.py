"""Registering a person and updating their profile and account."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import (
    Skill,
    User,
)
from accounts.services.common import clean_email, clean_text
from core.errors import Conflict, ValidationFailed

__all__ = ["MAX_SKILLS", "user_register", "profile_update", "account_update"]


MAX_SKILLS = 20


def user_register(*, username: str, password: str, display_name: str = "", email: str = "") -> User:
    """Create a person's account. Refuses a taken name (409 ``username_taken``) and a weak password
    (400 ``weak_password``); two registrations racing for one name give one account."""
    username = clean_text(username, field="username", label=_("Username"), max_length=150)
    display_name = clean_text(display_name, field="display_name", label=_("Display name"), max_length=60, required=False)
    email = clean_email(email)
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
    display_name = clean_text(display_name, field="display_name", label=_("Display name"), max_length=60, required=False)
    email = actor.email if email is None else clean_email(email)
    phone = clean_text(phone, field="phone", label=_("Phone"), max_length=20, required=False)
    if phone and not all(ch.isdigit() or ch in "+- " for ch in phone):
        raise ValidationFailed(_("A phone number may contain only digits, spaces, + and -."), code="invalid_phone", field="phone")
    bio = clean_text(bio, field="bio", label=_("About me"), max_length=2000, required=False)
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
        actor.display_name = clean_text(display_name, field="display_name", label=_("Display name"), max_length=60, required=False)
        fields.append("display_name")
    if email is not None:
        actor.email = clean_email(email)
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
