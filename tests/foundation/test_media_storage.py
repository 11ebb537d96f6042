"""The media storage (issue 17, "Beyond one machine"): the filesystem by default, an S3-compatible
bucket through django-storages when MEDIA_STORAGE=s3; on both a stored PDF is never replaced."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from nhtc.storage import FILESYSTEM, S3, StorageSettingsError, media_storage


def _get(values: dict):
    return lambda name, default: values.get(name, default)


def test_the_default_is_the_filesystem():
    assert media_storage(_get({})) == {"BACKEND": FILESYSTEM}
    assert media_storage(_get({"MEDIA_STORAGE": " Filesystem "})) == {"BACKEND": FILESYSTEM}


def test_s3_takes_its_bucket_endpoint_and_keys_from_the_environment_and_never_overwrites():
    conf = media_storage(_get({
        "MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "nhtc-notices", "MEDIA_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "MEDIA_S3_REGION": "us-east-1", "MEDIA_S3_ACCESS_KEY_ID": "id", "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
        "MEDIA_S3_PREFIX": "/prod/media/", "MEDIA_S3_URL_EXPIRE": "60",
    }))
    assert conf["BACKEND"] == S3
    o = conf["OPTIONS"]
    assert o["bucket_name"] == "nhtc-notices" and o["endpoint_url"] == "http://127.0.0.1:9000"
    assert o["location"] == "prod/media" and o["region_name"] == "us-east-1"
    assert (o["access_key"], o["secret_key"]) == ("id", "secret")
    assert o["file_overwrite"] is False and o["default_acl"] is None and o["querystring_expire"] == 60


def test_s3_without_keys_leaves_them_to_boto3s_chain():
    o = media_storage(_get({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "b"}))["OPTIONS"]
    assert "access_key" not in o and "secret_key" not in o and "endpoint_url" not in o


@pytest.mark.parametrize(
    "values, message",
    [
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_S3_BUCKET"),
        ({"MEDIA_STORAGE": "ftp"}, "'filesystem' or 's3', not 'ftp'"),
        ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_URL_EXPIRE": "soon"}, "whole number of seconds"),
    ],
)
def test_bad_storage_settings_stop_start_up_with_the_setting_named(values, message):
    with pytest.raises(StorageSettingsError, match=message):
        media_storage(_get(values))


def test_the_s3_backend_is_built_from_those_options_without_touching_the_network():
    conf = media_storage(_get({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "nhtc-notices",
                               "MEDIA_S3_ENDPOINT_URL": "http://127.0.0.1:9"}))
    with override_settings(STORAGES={"default": conf, "staticfiles": {"BACKEND": FILESYSTEM}}):
        storages._storages = {}
        try:
            s = storages["default"]
            assert type(s).__module__ == "storages.backends.s3"
            assert s.bucket_name == "nhtc-notices" and s.file_overwrite is False and s.endpoint_url == "http://127.0.0.1:9"
        finally:
            storages._storages = {}


def test_on_the_filesystem_a_second_file_of_the_same_name_does_not_replace_the_first(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(STORAGES={"default": media_storage(_get({})), "staticfiles": {"BACKEND": FILESYSTEM}}):
        storages._storages = {}
        try:
            s = storages["default"]
            first = s.save("notices/2000/03/1-v1-notice.pdf", ContentFile(b"%PDF first"))
            second = s.save("notices/2000/03/1-v1-notice.pdf", ContentFile(b"%PDF second"))
            assert first != second
            assert s.open(first).read() == b"%PDF first" and s.open(second).read() == b"%PDF second"
        finally:
            storages._storages = {}
