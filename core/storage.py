"""Where uploads live: a local folder (the embedded default) or an S3 bucket that every app host
shares (``AWS_STORAGE_BUCKET_NAME``; README, "Configuration"; docs/deploy.md).

Nothing in the bucket is public. Reward pictures (``PUBLIC_MEDIA_PREFIXES``) keep their address on
the site, ``/media/<name>``, and the app streams them from the bucket (core/media.py), so pages
load images from their own origin (the Content-Security-Policy allows no other) and a CDN may be
put in front of ``/media/``. Every other upload (bid attachments, spending vouchers, kept bid
drafts) is reached only through a view that checks the viewer first; that view streams it, or,
with ``MEDIA_SIGNED_URLS=1``, sends the viewer to a signed address of the bucket that expires after
``AWS_QUERYSTRING_EXPIRE`` seconds and makes the browser download the file.
"""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


def is_public(name: str) -> bool:
    return name.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES)) and ".." not in name.split("/")


class MediaStorage(S3Storage):
    """django-storages' S3 storage, never overwriting a file, with the site's own address for the
    public pictures and a short-lived signed address for anything else."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        if is_public(name) and not parameters:
            return f"{settings.MEDIA_URL if settings.MEDIA_URL.startswith('/') else '/' + settings.MEDIA_URL}{filepath_to_uri(name)}"
        return super().url(name, parameters=parameters, expire=expire, http_method=http_method)

    def signed_download_url(self, name: str, *, filename: str) -> str:
        """A signed GET of ``name`` that expires soon and that the browser saves as ``filename``
        (never shows in a page), and that no cache keeps."""
        return super().url(
            name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseCacheControl": "private, no-store",
            },
        )
