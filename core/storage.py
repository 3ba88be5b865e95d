"""Where uploads live: a local folder (the embedded default) or an S3 bucket that every app host
shares (``AWS_STORAGE_BUCKET_NAME``; README, "Configuration"; docs/deploy.md).

Nothing in the bucket is public. Reward pictures (``PUBLIC_MEDIA_PREFIXES``) keep their address on
the site, ``/media/<name>``, and the app streams them from the bucket (core/media.py), so pages
load images from their own origin (the Content-Security-Policy allows no other) and a CDN may be
put in front of ``/media/``. Every other upload (bid attachments, spending vouchers, kept bid
drafts) is reached only through a view that checks the viewer first; that view streams it, or,
with ``MEDIA_SIGNED_URLS=1``, sends the viewer to a signed address of the bucket that expires after
``AWS_QUERYSTRING_EXPIRE`` seconds and makes the browser download the file.

The bucket's storage class is in core/s3.py, imported only when a bucket is configured: boto3 costs
every server process half a second and 40 MB, which a site on a folder should not pay.
"""

from django.conf import settings
from django.utils.encoding import filepath_to_uri


class StorageUnavailable(Exception):
    """The bucket did not answer (or refused our keys): a passing condition, answered 503 like a
    database that does not answer (core.handlers.server_error)."""


def is_public(name: str) -> bool:
    return name.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES)) and ".." not in name.split("/")


def public_url(name: str) -> str:
    """The site's own address of a public upload (served by core.media.public_media)."""
    prefix = settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else f"/{settings.MEDIA_URL}"
    return f"{prefix}{filepath_to_uri(name)}"
