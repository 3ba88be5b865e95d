"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V):
1 registration authority, 1 kind, 6 administrative area (digits), 9 organisation code, 1 check
character computed over the first 17 with weights 3**i mod 31.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator as _DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def credit_code_check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    return (raw or "").strip().upper()


def is_valid_credit_code(raw: str) -> bool:
    code = normalize_credit_code(raw)
    if len(code) != 18 or any(ch not in ALPHABET for ch in code):
        return False
    if not code[2:8].isdigit():  # the administrative area code is six digits
        return False
    return credit_code_check_character(code[:17]) == code[17]


class MinimumLengthValidator(_DjangoMinimumLengthValidator):
    """Django's length rule with our own message: Django 5.2 changed the message's text and its
    Chinese catalogue has no translation for the new one, so Chinese users would read English."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class NotOnlyWhitespaceValidator:
    """A password of spaces (or tabs, or full-width spaces) passes the length rule but guards
    nothing: refuse a password made of whitespace only."""

    def validate(self, password, user=None):
        if password is not None and not password.strip():
            raise ValidationError(gettext("A password cannot be made of spaces only."), code="password_only_whitespace")

    def get_help_text(self):
        return gettext("Your password cannot be made of spaces only.")
