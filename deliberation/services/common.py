"""What the deliberation services share: text checks and the staff check."""

from django.utils.translation import gettext as _

from accounts.selectors import is_community_staff
from core.errors import PermissionDenied, ValidationFailed


def clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field)
    if "\x00" in value:
        raise ValidationFailed(_("The text holds a character that cannot be stored."), code="null_character", field=field)
    return value


def require_staff(actor, community_id: int) -> None:
    if not is_community_staff(actor, community_id):
        raise PermissionDenied(_("Only staff of this community can do this."), code="not_staff")
