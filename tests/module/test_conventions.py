"""What an adopter's tooling expects of a module: names that never collide by default, statements and managed
policies added to the role, the ARNs of what was made among the outputs, and Lambda's two log formats."""

from __future__ import annotations

import hashlib
import json

from .conftest import BASE
from .planner import changes

FUNCTION = "module.function.aws_lambda_function.this"
POLICY = "module.function.data.aws_iam_policy_document.lambda"


def test_a_long_bucket_name_gives_a_name_that_fits_with_a_digest(root):
    bucket = "team-a.uploads.of-every-picture.example.com"
    plan = root.plan(**{**BASE, "source_bucket": bucket, "batch_operations": {}})
    name = changes(plan, FUNCTION)["function_name"]
    assert name == "thumbnails-team-a-uploads-of-ev-" + hashlib.sha1(bucket.encode()).hexdigest()[:8]
    assert len(name) == 40 and len(changes(plan, "batch_operations[0].aws_iam_role.this")["name"]) <= 64
    assert changes(plan, "aws_iam_role.lambda[0]")["name"] == f"{name}-us-east-1"
    assert changes(plan, "aws_cloudwatch_log_group.lambda")["name"] == f"/aws/lambda/{name}"


def test_role_policy_statements_and_arns_reach_the_role(root):
    parameter = "arn:aws:ssm:us-east-1:111122223333:parameter/thumbs"
    managed = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
    statement = {"sid": "ReadConfig", "actions": ["ssm:GetParameter"], "resources": [parameter]}
    condition = {"test": "StringEquals", "variable": "aws:ResourceAccount", "values": ["111122223333"]}
    plan = root.plan(
        **BASE, role_policy_statements=[{**statement, "conditions": [condition]}], role_policy_arns=[managed]
    )
    (added,) = [s for s in changes(plan, POLICY)["statement"] if s["sid"] == "ReadConfig"]
    assert (added["effect"], added["actions"], added["resources"]) == ("Allow", ["ssm:GetParameter"], [parameter])
    assert added["condition"] == [condition]
    attachment = changes(plan, 'aws_iam_role_policy_attachment.extra["0"]')
    assert (attachment["policy_arn"], attachment["role"]) == (managed, "thumbnails-photos-us-east-1")


def test_role_name_of_a_role_passed_in(root):
    arn = "arn:aws:iam::111122223333:role/platform/thumbs-role"
    plan = root.plan(**BASE, create_role=False, role_arn=arn, outputs=("role_name", "role_arn"))
    assert plan.outputs["role_name"] == "thumbs-role" and plan.outputs["role_arn"] == arn


def test_outputs_name_what_each_mode_made_and_null_otherwise(root):
    wanted = ("log_group_arn", "queue_arn", "dead_letter_queue_arn", "role_name")
    s3 = root.plan(**BASE, outputs=wanted).output_changes
    assert s3["log_group_arn"]["after_unknown"] is True, "known once the group exists"
    assert s3["queue_arn"]["after"] is None and s3["dead_letter_queue_arn"]["after"] is None
    assert s3["role_name"]["after"] == "thumbnails-photos-us-east-1"
    sqs = root.plan(**BASE, trigger="sqs", outputs=wanted).output_changes
    assert sqs["queue_arn"]["after_unknown"] is True and sqs["dead_letter_queue_arn"]["after_unknown"] is True


def test_log_format_text_leaves_the_levels_to_the_function(root):
    (config,) = changes(root.plan(**BASE, log_format="Text"), FUNCTION)["logging_config"]
    assert config["log_format"] == "Text" and not config["application_log_level"] and not config["system_log_level"]
    (default,) = changes(root.plan(**BASE), FUNCTION)["logging_config"]
    assert (default["log_format"], default["application_log_level"]) == ("JSON", "INFO")


def test_the_buckets_keys_are_bucket_kms_key_arns(root):
    key = "arn:aws:kms:us-east-1:111122223333:key/0000"
    statements = {s["sid"]: s for s in changes(root.plan(**BASE, bucket_kms_key_arns=[key]), POLICY)["statement"]}
    assert statements["UseBucketKeys"]["resources"] == [key]
    assert json.dumps(changes(root.plan(**BASE), FUNCTION).get("kms_key_arn")) == "null", "not the environment's key"
