"""The seam localaws puts into moto, pinned against the moto version in pyproject.toml.

If one of these fails after a moto upgrade, moto moved the function the seam replaces: read localaws/seam.py
and the new moto code, and move the seam with it.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

from moto.awslambda import models as lambda_models
from moto.events import models as events_models
from moto.s3 import notifications
from moto.sns import models as sns_models
from moto.sqs import models as sqs_models

from localaws import seam


def test_pinned_moto():
    assert version("moto") == "5.2.5", "the seam is tested against moto 5.2.5; see this file's docstring"


def test_lambda_invoke_signature():
    assert list(inspect.signature(lambda_models.LambdaFunction.invoke).parameters) == [
        "self",
        "body",
        "request_headers",
        "response_headers",
    ]


def test_s3_notification_hook_signature():
    assert list(inspect.signature(notifications._invoke_awslambda).parameters) == [
        "account_id",
        "event_body",
        "fn_arn",
        "region_name",
    ]
    assert "_invoke_awslambda(" in inspect.getsource(notifications.send_event)


def test_s3_event_builders_signatures():
    assert list(inspect.signature(notifications._get_s3_event).parameters) == [
        "event_name",
        "bucket",
        "key",
        "notification_id",
    ]
    assert list(inspect.signature(notifications._send_event_bridge_message).parameters) == [
        "account_id",
        "bucket",
        "event_name",
        "key",
    ]
    source = inspect.getsource(notifications.send_event)
    assert "_get_s3_event(" in source and "_send_event_bridge_message(" in source


def test_sns_to_lambda_hook_signature():
    assert list(inspect.signature(lambda_models.LambdaBackend.send_sns_message).parameters) == [
        "self",
        "function_name",
        "message",
        "subject",
        "qualifier",
    ]
    assert ".send_sns_message(" in inspect.getsource(sns_models.Subscription.publish)


def test_sqs_mapping_hooks():
    assert list(inspect.signature(lambda_models.LambdaBackend.create_event_source_mapping).parameters) == [
        "self",
        "spec",
    ]
    assert "lambda_event_source_mappings" in inspect.getsource(sqs_models.Queue.add_message)
    assert list(inspect.signature(sqs_models.SQSBackend.receive_message).parameters)[:5] == [
        "self",
        "queue_name",
        "count",
        "wait_seconds_timeout",
        "visibility_timeout",
    ]


def test_eventbridge_rule_hook_and_the_gap_it_fills():
    assert list(inspect.signature(events_models.Rule.send_to_targets).parameters) == [
        "self",
        "original_event",
        "transform_input",
    ]
    source = inspect.getsource(events_models.Rule.send_to_targets)
    assert '"lambda"' not in source, "moto now delivers to Lambda targets itself: drop seam item 7"
    s3_events = inspect.getsource(notifications._send_event_bridge_message)
    assert '"key": key.name' in s3_events, "moto now encodes EventBridge keys: drop seam item 6's encoding"


def test_object_versions_listing_still_ignores_encoding_type_upstream():
    from moto.s3.responses import S3Response

    source = inspect.getsource(S3Response.list_object_versions)
    assert "encoding" not in source, "moto now honours encoding-type in ListObjectVersions: drop seam item 8"
    assert "self.serialized(ActionResult(result))" in source, "seam item 8 wraps this call: move it with moto"


def test_expected_bucket_owner_is_still_ignored_upstream():
    from moto.s3.responses import S3Response

    for handler in (S3Response._bucket_response, S3Response._key_response):
        assert list(inspect.signature(handler).parameters) == ["self", "request", "full_url"]
    source = inspect.getsource(S3Response._key_response) + inspect.getsource(S3Response._bucket_response)
    assert "expected-bucket-owner" not in source, "moto now checks ExpectedBucketOwner: drop seam item 9"


def test_redrive_policy_is_still_spaced_upstream():
    source = inspect.getsource(sqs_models.Queue.attributes.fget)
    assert 'result["RedrivePolicy"] = json.dumps(self.redrive_policy)' in source, (
        "moto changed how it writes RedrivePolicy: if it is compact now, drop seam item 10"
    )


def test_install_and_uninstall_restore_moto(tmp_path):
    originals = [getattr(owner, name) for owner, name in seam._PATCHED]
    seam.install(object(), object())  # type: ignore[arg-type]
    try:
        assert all(
            getattr(owner, name) is not original
            for (owner, name), original in zip(seam._PATCHED, originals, strict=True)
        )
    finally:
        seam.uninstall()
    assert [getattr(owner, name) for owner, name in seam._PATCHED] == originals


def test_a_delete_marker_still_sends_no_notification_upstream():
    from moto.s3.models import S3Backend

    assert list(inspect.signature(S3Backend.delete_object).parameters) == [
        "self", "bucket_name", "key_name", "version_id", "bypass"
    ]  # fmt: skip
    source = inspect.getsource(S3Backend.delete_object)
    assert "DELETE_MARKER_CREATED" not in source, "moto now notifies delete markers: drop seam item 11"


def test_a_delete_marker_still_cannot_be_disposed_of_upstream():
    from moto.s3.models import FakeDeleteMarker
    from moto.s3.utils import _VersionedKeyStore

    assert "version.dispose()" in inspect.getsource(_VersionedKeyStore.pop), "seam item 12 mirrors this loop"
    assert not hasattr(FakeDeleteMarker, "dispose"), "moto's delete markers can be disposed of now: drop seam item 12"


def test_logging_config_and_an_ephemeral_storage_update_are_still_dropped_upstream():
    backend = lambda_models.LambdaBackend
    assert list(inspect.signature(backend.create_function).parameters) == ["self", "spec"]
    assert list(inspect.signature(backend.update_function_configuration).parameters) == [
        "self", "function_name", "qualifier", "body"
    ]  # fmt: skip
    assert list(inspect.signature(lambda_models.LambdaFunction.get_configuration).parameters) == ["self", "on_create"]
    source = inspect.getsource(lambda_models.LambdaFunction)
    assert "LoggingConfig" not in source, "moto keeps LoggingConfig now: drop seam item 13's LoggingConfig"
    update = inspect.getsource(lambda_models.LambdaFunction.update_configuration)
    assert "EphemeralStorage" not in update, "moto applies an EphemeralStorage update now: drop it from seam item 13"
