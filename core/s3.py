"""The S3 bucket's storage (``STORAGES["default"]`` when ``AWS_STORAGE_BUCKET_NAME`` is set; see
core/storage.py for what is public and what is not). Imported only then: it brings in boto3."""

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from core.storage import StorageUnavailable, is_public, public_url


class MediaStorage(S3Storage):
    """django-storages' S3 storage, with the site's own address for the public pictures, a
    short-lived signed address for anything else, and a bucket that does not answer reported as
    ``StorageUnavailable`` (a 503), not as a server error."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        if is_public(name) and not parameters:
            return public_url(name)
        return super().url(name, parameters=parameters, expire=expire, http_method=http_method)

    def signed_download_url(self, name: str, *, filename: str) -> str:
        """A signed GET of ``name`` that expires soon, that the browser saves as ``filename``
        (never shows in a page) and that no cache keeps."""
        return super().url(
            name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseCacheControl": "private, no-store",
            },
        )

    def exists(self, name):
        try:
            return super().exists(name)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def _open(self, name, mode="rb"):
        try:
            return super()._open(name, mode)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def delete(self, name):
        try:
            return super().delete(name)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc
