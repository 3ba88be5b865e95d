"""Strict path converters for the secrets and codes in addresses (issue #36.6): anything else is a
404 from the resolver, before a view or the database sees it (PostgreSQL refuses NUL in text)."""

from django.urls import register_converter


class CodeConverter:
    """A certificate code as people type it: letters, digits, dashes and spaces, at most 64."""

    regex = r"[A-Za-z0-9 \-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TokenConverter:
    """A URL-safe secret (``secrets.token_urlsafe``) or a signed value (``django.core.signing``)."""

    regex = r"[A-Za-z0-9_\-:.]{1,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")
register_converter(TokenConverter, "token")
