"""Adopting the module where things already live, applied on localaws: a bucket whose notification is kept while
two instances share it through EventBridge; the same stack twice in one account; a shared bucket whose other
team's rules trigger = "s3" refuses to replace.

The tests may run on either worker (each worker has its own localaws). Each applies its own copies of an
example and destroys them, so the endpoint is left as it was found.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
import tftest

from devkit import awscli
from devkit.endpoint import LOCALAWS, wait_for
from devkit.stack import copy_module, local_terraform
from devkit.terraform import environment as terraform_environment
from localaws.runtime import LOCAL_RUNTIME

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


@pytest.fixture(scope="module")
def existing_bucket(endpoint, tmp_path_factory) -> Iterator[tftest.TerraformTest]:
    """examples/existing-bucket applied once for the tests of its group."""
    with applied(endpoint, {tmp_path_factory.mktemp("existing-bucket"): ("existing-bucket", {})}) as (tf,):
        yield tf


@pytest.mark.xdist_group("adoption-existing-bucket")  # the tests share one applied existing-bucket
def test_existing_bucket_keeps_its_notification_and_two_instances_share_it(existing_bucket, client):
    out = existing_bucket.output()
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


@pytest.mark.xdist_group("adoption-existing-bucket")
def test_existing_bucket_plans_no_change_to_the_module_again(existing_bucket):
    # A second plan leaves every module resource alone. (The owner's notification shows a diff on localaws
    # only: moto does not return EventBridgeConfiguration, so the provider reads eventbridge as false.)
    plan = existing_bucket.plan(output=True)
    changed = [a for a, c in plan.resource_changes.items() if c["change"]["actions"] not in (["no-op"], ["read"])]
    assert [a for a in changed if a.startswith("module.thumbnails")] == [], changed


TWICE = {"adopt-a": {"name_prefix": "adopt-a", "function_name": "thumbs-a"},
         "adopt-b": {"name_prefix": "adopt-b", "function_name": "thumbs-b"}}  # fmt: skip


@pytest.fixture(scope="module")
def twice(endpoint, tmp_path_factory) -> Iterator[list[tftest.TerraformTest]]:
    """examples/sqs applied twice in one account, under two names, for the tests of its group."""
    base = tmp_path_factory.mktemp("twice")
    with applied(endpoint, {base / name: ("sqs", tf_vars) for name, tf_vars in TWICE.items()}) as stacks:
        yield stacks


@pytest.mark.xdist_group("adoption-twice")  # the tests share the two applied stacks
@pytest.mark.parametrize("prefix", TWICE)
def test_the_same_stack_twice_in_one_account_makes_thumbnails_in_each(twice, client, prefix):
    upload_then_delete(client, f"{prefix}-uploads", "uploads/x.jpg", "thumbnails/512/uploads/x.jpg")


@pytest.mark.xdist_group("adoption-twice")
def test_the_same_stack_twice_has_a_role_per_instance_and_region(twice, client):
    roles = sorted(r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].startswith("thumbs-"))
    assert roles == ["thumbs-a-us-east-1", "thumbs-b-us-east-1"], "role names carry the region"


@pytest.mark.xdist_group("adoption-twice")
def test_the_same_stack_twice_plans_no_change_again(twice):
    plan = twice[0].plan(output=True, tf_vars=TWICE["adopt-a"])
    changed = [a for a, c in plan.resource_changes.items() if c["change"]["actions"] not in (["no-op"], ["read"])]
    assert changed == [], "a second plan of the queue-fed stack changes nothing (localaws seam item 10)"


def test_a_shared_bucket_keeps_another_teams_rules(endpoint, client, tmp_path):
    """trigger = "s3" on a bucket that already sends to another team's queue (and to EventBridge): the plan stops
    before anything is made, naming the rules and the ways forward; trigger = "eventbridge" then makes thumbnails,
    and its destroy leaves the other team's configuration as it found it."""
    bucket, thumbs, name = "shared-uploads", "shared-thumbs", "thumbnails-shared-uploads"
    env = {**awscli.environment(endpoint), **terraform_environment()}
    env["PATH"] = f"{LOCALAWS.parent}{os.pathsep}{env['PATH']}"
    module = copy_module(tmp_path / "module")
    stack = tmp_path / "stack"
    stack.mkdir()

    def terraform(*args: str) -> subprocess.CompletedProcess:
        command = ["localaws", "terraform", *args, "-no-color"]
        return subprocess.run(command, cwd=stack, env=env, capture_output=True, text=True)

    def configure(trigger: str) -> None:
        (stack / "main.tf").write_text(f"""
module "thumbnails" {{
  source             = "{module}"
  source_bucket      = "{bucket}"
  destination_bucket = "{thumbs}"
  trigger            = "{trigger}"
  runtime            = "{LOCAL_RUNTIME}"
  build              = {{ layer_target = "host" }}
}}
""")

    s3, sqs = client("s3"), client("sqs")
    for b in (bucket, thumbs):
        s3.create_bucket(Bucket=b)
    queue = sqs.create_queue(QueueName="other-team")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    theirs = {
        "QueueConfigurations": [{"Id": "other-team", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}],
        "EventBridgeConfiguration": {},
    }
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=theirs)

    def theirs_kept() -> bool:
        config = s3.get_bucket_notification_configuration(Bucket=bucket)
        return [q["QueueArn"] for q in config.get("QueueConfigurations", [])] == [arn] and (
            "LambdaFunctionConfigurations" not in config
        )

    try:
        configure("s3")
        assert terraform("init", "-input=false").returncode == 0
        refused = terraform("apply", "-input=false", "-auto-approve")
        said = " ".join(refused.stderr.replace("│", " ").split())
        assert refused.returncode != 0 and f"queue {arn} (s3:ObjectCreated:*)" in said, said
        assert "EventBridge delivery" in said and "replace_existing_notifications = true" in said
        assert 'trigger = "none"' in said and 'trigger = "eventbridge"' in said
        assert theirs_kept(), "their rule is still there"
        assert name not in {f["FunctionName"] for f in client("lambda").list_functions()["Functions"]}, (
            "the plan stopped before anything was made"
        )
        assert terraform("state", "list").stdout.strip() == ""

        configure("eventbridge")
        applied = terraform("apply", "-input=false", "-auto-approve")
        assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
        sqs.purge_queue(QueueUrl=queue)
        s3.put_object(Bucket=bucket, Key="team-a/cat.jpg", Body=photo(800, 600))
        assert thumbnail(client, thumbs, "thumbnails/256/team-a/cat.jpg").size == (256, 192), "every key, by default"
        wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"), 30, "their queue to be told too")
        assert theirs_kept()

        destroyed = terraform("destroy", "-input=false", "-auto-approve")
        assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr[-3000:]
        assert theirs_kept(), "destroy removed only what the module wrote"
    finally:
        for b in (bucket, thumbs):
            for found in s3.list_objects_v2(Bucket=b).get("Contents", []):
                s3.delete_object(Bucket=b, Key=found["Key"])
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
        for b in (bucket, thumbs):
            s3.delete_bucket(Bucket=b)
        sqs.delete_queue(QueueUrl=queue)
