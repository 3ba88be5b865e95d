"""Attachments people upload (bid documents, spending vouchers): checked by their first bytes, not
their names, and renamed to a random name so nothing about the uploader's file system is kept."""

import uuid

from django.utils.translation import gettext as _

from core.errors import ValidationFailed

ALLOWED_ATTACHMENT_TYPES = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def check_attachment(upload, *, field: str = "attachment") -> None:
    """Refuse an upload over 5 MB or that is not a PDF, PNG or JPEG; give it a random name."""
    if not upload:
        return
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("An attachment may be at most 5 MB."), code="file_too_large", field=field)
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    extension = next((ext for magic, ext in ALLOWED_ATTACHMENT_TYPES.items() if head.startswith(magic)), None)
    if extension is None:
        raise ValidationFailed(_("Attach a PDF, PNG or JPEG file."), code="invalid_file_type", field=field)
    upload.name = f"{uuid.uuid4().hex}.{extension}"
