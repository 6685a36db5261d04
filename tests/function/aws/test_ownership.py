"""ExpectedBucketOwner on every S3 call: a bucket another account owns (its name freed and registered again) is
refused by S3 and reported as failed, never retried. moto ignores the header; localaws' seam item 9 adds S3's
check, and these tests put it in front of the in-process moto too."""

from __future__ import annotations

import pytest
from moto.s3.responses import S3Response

import app
from localaws.seam.s3_ownership import owner_checked

from ..conftest import DEST, SOURCE, invoke, s3_event, thumbnail_keys
from ..images import jpeg

MOTO_ACCOUNT = "123456789012"  # the account moto's buckets belong to
OTHER = "999988887777"


@pytest.fixture
def checked(monkeypatch, env):
    for name in ("_bucket_response", "_key_response"):
        monkeypatch.setattr(S3Response, name, owner_checked(getattr(S3Response, name)))
    env.setenv("SOURCE_BUCKET_OWNER", MOTO_ACCOUNT)
    env.setenv("DESTINATION_BUCKET_OWNER", MOTO_ACCOUNT)
    return env


def test_every_s3_call_names_the_owner_it_expects(s3, checked):
    seen: list[tuple[str, str | None]] = []

    def record(request, event_name, **_):
        owner = request.headers.get("x-amz-expected-bucket-owner")
        seen.append((event_name.rsplit(".", 1)[-1], owner.decode() if isinstance(owner, bytes) else owner))

    app.s3_client().meta.events.register("before-send.s3.*", record)
    s3.put_object(Bucket=SOURCE, Key="a.jpg", Body=jpeg())
    invoke(s3_event("a.jpg"))
    event = s3_event("a.jpg")
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    s3.delete_object(Bucket=SOURCE, Key="a.jpg")
    invoke(event)
    operations = {name for name, _ in seen}
    assert {"GetObject", "PutObject", "ListObjectsV2", "HeadObject", "DeleteObjects"} <= operations
    assert all(owner == MOTO_ACCOUNT for _, owner in seen), seen


@pytest.mark.parametrize("variable", ["SOURCE_BUCKET_OWNER", "DESTINATION_BUCKET_OWNER"])
def test_a_bucket_owned_by_another_account_is_refused_and_reported_not_retried(s3, checked, variable):
    checked.setenv(variable, OTHER)
    s3.put_object(Bucket=SOURCE, Key="a.jpg", Body=jpeg())
    summary = invoke(s3_event("a.jpg"))  # no RetryableError: the invocation succeeds, nothing to retry
    [failed] = summary["failed"]
    assert failed["key"] == "a.jpg" and "AccessDenied" in failed["reason"] and "transient" not in failed
    assert thumbnail_keys(s3, DEST) == []


def test_a_bad_owner_setting_names_the_variable(s3, checked):
    from thumbnailer.errors import ConfigError
    from thumbnailer.settings import load_settings

    with pytest.raises(ConfigError, match="SOURCE_BUCKET_OWNER must be a 12-digit AWS account ID; got '12'"):
        load_settings({"DESTINATION_BUCKET": "b", "SOURCE_BUCKET_OWNER": "12"})
