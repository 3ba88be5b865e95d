"""Uploaded files: public ones by their address, private ones only through a view that checks the viewer.

``/media/<path>`` serves only files under ``PUBLIC_MEDIA_PREFIXES`` (reward pictures, shown to
everyone in the points supermarket). Sealed-bid attachments and spending vouchers were reachable
there by anyone holding (or guessing, or finding in a log) the random name; now ``/media/`` answers
404 for them, and they are served by views that ask the same selectors as the pages showing the
records (``private_file_response``).
"""

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.static import serve


def public_media(request, path: str):
    """The built-in file view, for public uploads only; anything else does not exist here."""
    if not path.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES)) or ".." in path.split("/"):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def private_file_response(field_file, *, download_name: str) -> FileResponse:
    """A private upload, sent once to a viewer the caller has checked: never cached by a proxy or
    shared cache, always downloaded (never rendered in the site's origin)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    extension = field_file.name.rsplit(".", 1)[-1] if "." in field_file.name else "bin"
    response = FileResponse(handle, as_attachment=True, filename=f"{download_name}.{extension}")
    response["Cache-Control"] = "private, no-store"
    return response
