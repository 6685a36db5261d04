"""Every notification snippet of the documentation applied on localaws, which refuses what S3 refuses (overlapping
rules: localaws/seam/s3_notifications.py), following the README's walkthrough for a bucket whose notification was
made elsewhere: the trigger = "none" snippet imported over the owner's queue rule, the bucket handed back with a
removed block, then trigger = "eventbridge" after the CLI lines that turn EventBridge on without replacing the
owner's rule. One workspace, run with `localaws terraform` as a user would."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devkit import awscli
from devkit.endpoint import LOCALAWS, wait_for
from devkit.stack import ROOT, copy_module
from devkit.terraform import environment as terraform_environment
from localaws.runtime import LOCAL_RUNTIME

from .test_pipeline import photo, thumbnail

pytestmark = pytest.mark.e2e

DOCUMENTS = [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md")), *sorted(ROOT.glob("*/*/README.md"))]
BUCKET, QUEUE, RULE = "my-photos", "audit", "invoices-to-audit"
FUNCTION = "adopted-thumbnails"  # not the default: the complete stack may be applied on this endpoint too


def blocks(language: str, path: Path = ROOT / "README.md") -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), re.S)


def notification_snippets() -> list[str]:
    return [b for path in DOCUMENTS for b in blocks("hcl", path) if "aws_s3_bucket_notification" in b]


def local(hcl: str, module: Path) -> str:
    """A snippet as it runs on localaws: the module from its copy, with the two local inputs (and a name of its
    own); localaws's account."""
    hcl = re.sub(r'source\s*=\s*"git::[^"]*"', f'source = "{module}"', hcl)
    inputs = (
        f'\n  runtime = "{LOCAL_RUNTIME}"\n  build   = {{ layer_target = "host" }}\n  function_name = "{FUNCTION}"\n'
    )
    hcl = re.sub(r'(module "thumbnails" \{\n)', rf"\1{inputs}", hcl)
    return hcl.replace("111122223333", "123456789012")


def rules(client) -> dict:
    config = client("s3").get_bucket_notification_configuration(Bucket=BUCKET)
    return {kind: config.get(kind, []) for kind in ("QueueConfigurations", "LambdaFunctionConfigurations")}


def owners_rule_kept(client) -> bool:
    (queue,) = rules(client)["QueueConfigurations"]
    (prefix,) = queue["Filter"]["Key"]["FilterRules"]
    return queue["Id"] == RULE and prefix["Value"] == "invoices/" and queue["Events"] == ["s3:ObjectCreated:*"]


@dataclass
class Walkthrough:
    """The README's walkthrough, one step a test, in order, in one workspace (xdist group "snippets")."""

    endpoint: str
    module: Path
    stack: Path
    env: dict[str, str]
    queue: str
    none: str
    imported: str
    removed: str
    eventbridge: str
    cli: str

    def terraform(self, *args: str) -> str:
        done = subprocess.run(
            ["localaws", "terraform", *args, "-no-color"], cwd=self.stack, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"terraform {' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout


@pytest.fixture(scope="module")
def walkthrough(endpoint, client, tmp_path_factory) -> Iterator[Walkthrough]:
    """The owner's bucket, queue and rule, made outside Terraform; removed at the end."""
    none, imported, removed = notification_snippets()
    assert 'trigger       = "none"' in none and "import {" in imported and "removed {" in removed, (
        "a notification snippet was added or moved: apply it in this test too"
    )
    (eventbridge,) = [b for b in blocks("hcl") if 'trigger       = "eventbridge"' in b]
    (cli,) = [b for b in blocks("sh") if "EventBridgeConfiguration" in b]
    base = tmp_path_factory.mktemp("snippets")
    module = copy_module(base / "module")
    stack = base / "stack"
    stack.mkdir()
    env = {**awscli.environment(endpoint), **terraform_environment()}
    env["PATH"] = f"{LOCALAWS.parent}{os.pathsep}{env['PATH']}"
    s3, sqs = client("s3"), client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    owner = {"Id": RULE, "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}
    owner["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": "invoices/"}]}}
    s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [owner]})
    try:
        yield Walkthrough(endpoint, module, stack, env, queue, none, imported, removed, eventbridge, cli)
    finally:
        if FUNCTION in {f["FunctionName"] for f in client("lambda").list_functions()["Functions"]}:
            subprocess.run(["localaws", "terraform", "destroy", "-input=false", "-auto-approve"], cwd=stack, env=env)
        for found in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=found["Key"])
        s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={})
        s3.delete_bucket(Bucket=BUCKET)
        sqs.delete_queue(QueueUrl=queue)


walkthrough_step = pytest.mark.xdist_group("snippets")


@walkthrough_step
def test_every_notification_snippet_applies_on_localaws_1_imported(walkthrough, client):
    """The plan adds the module's rules and leaves the owner's as they were."""
    w, s3, sqs = walkthrough, client("s3"), client("sqs")
    (w.stack / "main.tf").write_text(local(w.imported + w.none, w.module))
    w.terraform("init", "-input=false")
    w.terraform("plan", "-input=false", "-out=adopt.plan")
    plan = json.loads(w.terraform("show", "-json", "adopt.plan").splitlines()[0])
    (change,) = [c for c in plan["resource_changes"] if c["type"] == "aws_s3_bucket_notification"]
    assert change["change"]["actions"] == ["update"] and "importing" in change["change"]
    assert change["change"]["before"]["queue"] == change["change"]["after"]["queue"]
    w.terraform("apply", "-input=false", "adopt.plan")
    assert owners_rule_kept(client) and rules(client)["LambdaFunctionConfigurations"]
    sqs.purge_queue(QueueUrl=w.queue)
    s3.put_object(Bucket=BUCKET, Key="uploads/cat.jpg", Body=photo(800, 600))
    s3.put_object(Bucket=BUCKET, Key="invoices/march.pdf", Body=b"%PDF")
    assert thumbnail(client, BUCKET, "thumbnails/256/uploads/cat.jpg").size == (256, 192)
    wait_for(lambda: sqs.receive_message(QueueUrl=w.queue).get("Messages"), 30, "the owner's queue to be told")


@walkthrough_step
def test_every_notification_snippet_applies_on_localaws_2_handed_back(walkthrough, client):
    """The module's rules out, then the resource forgotten."""
    w = walkthrough
    without = re.sub(r'\n  dynamic "lambda_function" \{.*?\n  \}\n', "\n", w.none, flags=re.S)
    assert "lambda_function" not in without
    (w.stack / "main.tf").write_text(local(without, w.module))
    w.terraform("apply", "-input=false", "-auto-approve")
    assert owners_rule_kept(client) and not rules(client)["LambdaFunctionConfigurations"]
    forgotten = re.sub(r'resource "aws_s3_bucket_notification".*?\n\}\n', w.removed, without, flags=re.S)
    (w.stack / "main.tf").write_text(local(forgotten, w.module))
    w.terraform("apply", "-input=false", "-auto-approve")
    assert "aws_s3_bucket_notification" not in w.terraform("state", "list") and owners_rule_kept(client)


@walkthrough_step
def test_every_notification_snippet_applies_on_localaws_3_eventbridge(walkthrough, client):
    """EventBridge turned on by the README's CLI lines, as printed (with the endpoint): the owner's rule stays; the
    same module switched to trigger = "eventbridge" (its layer kept: one build for the whole walkthrough)."""
    w, s3 = walkthrough, client("s3")
    for line in [line for line in w.cli.splitlines() if line.strip()]:
        command = line.replace("aws ", f"{awscli.find()} --endpoint-url {w.endpoint} ", 1)
        done = subprocess.run(["bash", "-c", command], cwd=w.stack, env=w.env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    assert "EventBridgeConfiguration" in json.loads((w.stack / "with-eventbridge.json").read_text())
    assert owners_rule_kept(client)
    (w.stack / "main.tf").write_text(local(w.eventbridge, w.module))
    w.terraform("apply", "-input=false", "-auto-approve")
    s3.put_object(Bucket=BUCKET, Key="uploads/dog.jpg", Body=photo(600, 800))
    assert thumbnail(client, BUCKET, "thumbnails/256/uploads/dog.jpg").size == (192, 256)
    assert owners_rule_kept(client), "the eventbridge trigger left the owner's configuration alone"


@walkthrough_step
def test_every_notification_snippet_applies_on_localaws_4_destroyed(walkthrough, client):
    """The forgotten notification, and with it the owner's rule, is left alone."""
    walkthrough.terraform("destroy", "-input=false", "-auto-approve")
    assert owners_rule_kept(client), "destroy left the owner's rule"
    assert FUNCTION not in {f["FunctionName"] for f in client("lambda").list_functions()["Functions"]}


def test_destroying_an_adopted_notification_deletes_the_owners_rules_too(endpoint, client, tmp_path):
    """What the README warns of: the resource is the whole configuration, so its destroy takes the owner's rules."""
    _, imported, _ = notification_snippets()
    env = {**awscli.environment(endpoint), **terraform_environment()}
    env["PATH"] = f"{LOCALAWS.parent}{os.pathsep}{env['PATH']}"
    bucket = "adopted-then-destroyed"
    s3, sqs = client("s3"), client("sqs")
    s3.create_bucket(Bucket=bucket)
    queue = sqs.create_queue(QueueName=bucket)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    owner = {"Id": RULE, "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [owner]})
    resource = f"""
resource "aws_s3_bucket_notification" "photos" {{
  bucket = "{bucket}"

  queue {{
    id        = "{RULE}"
    queue_arn = "{arn}"
    events    = ["s3:ObjectCreated:*"]
  }}
}}
"""
    (tmp_path / "main.tf").write_text(imported.replace(BUCKET, bucket) + resource)
    try:
        for args in (["init", "-input=false"], ["apply", "-input=false", "-auto-approve"]):
            done = subprocess.run(
                ["localaws", "terraform", *args], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]["Id"] == RULE
        done = subprocess.run(
            ["localaws", "terraform", "destroy", "-auto-approve"], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    finally:
        s3.delete_bucket(Bucket=bucket)
        sqs.delete_queue(QueueUrl=queue)
