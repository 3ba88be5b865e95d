"""Uploaded files: public ones by their address, private ones only through a view that checks the viewer.

``/media/<path>`` serves only files under ``PUBLIC_MEDIA_PREFIXES`` (reward pictures, shown to
everyone in the points supermarket), from whichever storage holds the uploads (a local folder or
the shared S3 bucket, core/storage.py). Sealed-bid attachments and spending vouchers were reachable
there by anyone holding (or guessing, or finding in a log) the random name; now ``/media/`` answers
404 for them, and they are served by views that ask the same selectors as the pages showing the
records (``private_file_response``).
"""

import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect

from core.storage import is_public


def _open(storage, name: str):
    """The stored file, or 404; a bucket that does not answer raises StorageUnavailable (a 503)."""
    try:
        if not storage.exists(name):
            raise Http404
        return storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None


def public_media(request, path: str):
    """A public upload from the storage; anything else does not exist here. Names are random and
    never reused, so a browser or CDN may keep the file for a day."""
    if not is_public(path):
        raise Http404
    response = FileResponse(_open(default_storage, path), content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def private_file_response(field_file, *, download_name: str):
    """A private upload, sent once to a viewer the caller has checked: never cached by a proxy or
    shared cache, always downloaded (never rendered in the site's origin). From the S3 bucket with
    ``MEDIA_SIGNED_URLS=1``: a redirect to a signed address that expires within a minute."""
    if not field_file:
        raise Http404
    extension = field_file.name.rsplit(".", 1)[-1] if "." in field_file.name else "bin"
    filename = f"{download_name}.{extension}"
    storage = field_file.storage
    if settings.MEDIA_SIGNED_URLS and hasattr(storage, "signed_download_url"):
        response = HttpResponseRedirect(storage.signed_download_url(field_file.name, filename=filename))
    else:
        response = FileResponse(_open(storage, field_file.name), as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
