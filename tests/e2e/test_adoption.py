"""Adopting the module where things already live, applied on localaws: a bucket whose notification is kept while
two instances share it through EventBridge; the same stack twice in one account.

The two tests may run on either worker (each worker has its own localaws). Each applies its own copies of an
example and destroys them, so the endpoint is left as it was found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
import tftest

from devkit.endpoint import wait_for
from devkit.stack import local_terraform

from .test_pipeline import gone, photo, thumbnail

pytestmark = pytest.mark.e2e


@contextmanager
def applied(endpoint: str, workspaces: dict[Path, tuple[str, dict[str, str]]]) -> Iterator[list[tftest.TerraformTest]]:
    """Apply several example copies at once (Terraform mostly waits on the endpoint), destroy them at the end."""
    stacks = [(local_terraform(path, endpoint, example), tf_vars) for path, (example, tf_vars) in workspaces.items()]
    with ThreadPoolExecutor(len(stacks)) as pool:
        for done in [pool.submit(tf.apply, tf_vars=tf_vars) for tf, tf_vars in stacks]:
            done.result()
    try:
        yield [tf for tf, _ in stacks]
    finally:
        with ThreadPoolExecutor(len(stacks)) as pool:
            for done in [pool.submit(tf.destroy, tf_vars=tf_vars) for tf, tf_vars in stacks]:
                done.result()


def upload_then_delete(client, bucket: str, key: str, thumb: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=photo(640, 480))
    assert thumbnail(client, bucket, thumb).size[0] <= 1024
    client("s3").delete_object(Bucket=bucket, Key=key)
    wait_for(lambda: gone(client, bucket, thumb), 60, f"{thumb} to go with {key}")


def test_existing_bucket_keeps_its_notification_and_two_instances_share_it(endpoint, client, tmp_path):
    with applied(endpoint, {tmp_path: ("existing-bucket", {})}) as (tf,):
        out = tf.output()
        bucket, queue = out["source_bucket"], out["existing_queue_url"]
        sqs = client("sqs")
        sqs.purge_queue(QueueUrl=queue)  # S3's s3:TestEvent from when the configuration was saved
        upload_then_delete(client, bucket, "avatars/me + you.jpg", "thumbnails/avatars/128/avatars/me + you.jpg")
        upload_then_delete(client, bucket, "photos/sea.jpg", "thumbnails/photos/1024/photos/sea.jpg")
        notified = set()

        def delivered() -> bool:
            for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
                notified.add(unquote_plus(json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"]))
            return {"avatars/me + you.jpg", "photos/sea.jpg"} <= notified

        wait_for(delivered, 30, "the existing queue to receive both uploads")
        # The owner's queue rule is the only one (moto does not echo EventBridgeConfiguration back; the thumbnails
        # above came through EventBridge).
        config = client("s3").get_bucket_notification_configuration(Bucket=bucket)
        assert len(config["QueueConfigurations"]) == 1 and "LambdaFunctionConfigurations" not in config
        # A second plan leaves every module resource alone. (The owner's notification shows a diff on localaws
        # only: moto does not return EventBridgeConfiguration, so the provider reads eventbridge as false.)
        plan = tf.plan(output=True)
        changed = [a for a, c in plan.resource_changes.items() if c["change"]["actions"] not in (["no-op"], ["read"])]
        assert [a for a in changed if a.startswith("module.thumbnails")] == [], changed


def test_the_same_stack_twice_in_one_account(endpoint, client, tmp_path):
    first = {"name_prefix": "adopt-a", "function_name": "thumbs-a"}
    second = {"name_prefix": "adopt-b", "function_name": "thumbs-b"}
    with applied(endpoint, {tmp_path / "a": ("sqs", first), tmp_path / "b": ("sqs", second)}) as (a, _):
        for names in (first, second):
            upload_then_delete(
                client, f"{names['name_prefix']}-uploads", "uploads/x.jpg", "thumbnails/512/uploads/x.jpg"
            )
        roles = sorted(
            r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].startswith("thumbs-")
        )
        assert roles == ["thumbs-a-us-east-1", "thumbs-b-us-east-1"], "role names carry the region"
        plan = a.plan(output=True, tf_vars=first)
        changed = [a for a, c in plan.resource_changes.items() if c["change"]["actions"] not in (["no-op"], ["read"])]
        assert changed == [], "a second plan of the queue-fed stack changes nothing (localaws seam item 10)"
