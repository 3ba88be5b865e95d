"""Cleaning the text people type, shared by registration, communities and organisations."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

__all__ = ["clean_text", "clean_email"]


def clean_text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
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


def clean_email(value: str | None) -> str:
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
