"""Where the generated PDFs live (issue 17, "Beyond one machine"): the media storage.

One machine: the filesystem under MEDIA_ROOT (the default). Several machines (gunicorn on some,
Celery workers on others): every process must read the PDF a worker wrote, so the media
storage is shared -- an S3-compatible bucket through django-storages (``MEDIA_STORAGE=s3``).

Settings, from the environment:

- ``MEDIA_STORAGE``: ``filesystem`` (default) or ``s3``;
- with ``s3``: ``MEDIA_S3_BUCKET`` (required), ``MEDIA_S3_ENDPOINT_URL`` (MinIO, Ceph, R2...;
  empty for AWS), ``MEDIA_S3_REGION``, ``MEDIA_S3_PREFIX`` (key prefix, default ``media``),
  ``MEDIA_S3_ACCESS_KEY_ID`` / ``MEDIA_S3_SECRET_ACCESS_KEY`` (empty: boto3's own chain --
  instance role, AWS_* variables), ``MEDIA_S3_URL_EXPIRE`` (seconds, default 300).

The notices rule holds on both: a stored PDF is never replaced (``file_overwrite`` off: a name
already taken gets a suffix), objects are private (no ACL, signed URLs only; the app itself
serves downloads through its permission-checked view), and the SHA-256 recorded at render time
is checked against the stored bytes by the verify action, whichever backend holds them.
"""

from __future__ import annotations

from collections.abc import Callable

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


class StorageSettingsError(ValueError):
    pass


def media_storage(get: Callable[[str, str], str]) -> dict:
    """The ``STORAGES["default"]`` entry for the environment read through ``get(name, default)``."""
    kind = (get("MEDIA_STORAGE", "filesystem") or "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": FILESYSTEM}
    if kind != "s3":
        raise StorageSettingsError(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    bucket = get("MEDIA_S3_BUCKET", "").strip()
    if not bucket:
        raise StorageSettingsError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET (the bucket holding the notices' PDFs).")
    try:
        expire = int(get("MEDIA_S3_URL_EXPIRE", "300") or 300)
    except ValueError:
        raise StorageSettingsError("MEDIA_S3_URL_EXPIRE must be a whole number of seconds.")
    options = {
        "bucket_name": bucket,
        "location": get("MEDIA_S3_PREFIX", "media").strip("/"),
        "file_overwrite": False,  # a PDF once written stays as written (notices/models.py)
        "default_acl": None,  # private: the bucket policy decides, nothing is public-read
        "querystring_auth": True,
        "querystring_expire": expire,
    }
    for option, name in (("endpoint_url", "MEDIA_S3_ENDPOINT_URL"), ("region_name", "MEDIA_S3_REGION"),
                         ("access_key", "MEDIA_S3_ACCESS_KEY_ID"), ("secret_key", "MEDIA_S3_SECRET_ACCESS_KEY")):
        value = get(name, "").strip()
        if value:
            options[option] = value
    return {"BACKEND": S3, "OPTIONS": options}
