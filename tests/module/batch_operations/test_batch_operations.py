"""modules/batch-operations: the role S3 Batch Operations assumes for the thumbnails command, and how the root
wires it (batch_operations) and names it in the function's tags."""

from __future__ import annotations

import json

import pytest

from ..conftest import BASE
from ..planner import changes

PREFIX = (
    "prefix must be 2 to 161 characters of letters, digits and !_.*'()/- ending in / (it is written into the "
    "function's tags); "
)
ARGS = {
    "role_name": "Thumbs-batch-us-east-1",
    "account_id": "111122223333",
    "function_arn": "arn:aws:lambda:us-east-1:111122223333:function:Thumbs",
    "bucket": "thumbs",
    "bucket_account": "444455556666",
}


def statements(plan) -> dict[str, dict]:
    return {s["sid"]: s for s in changes(plan, "data.aws_iam_policy_document.this")["statement"]}


def test_trusted_by_batch_operations_of_this_account_only(planners):
    plan = planners["batch-operations"].plan(**ARGS)
    role = changes(plan, "aws_iam_role.this")
    assert role["name"] == "Thumbs-batch-us-east-1"
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "batchoperations.s3.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_invokes_this_function_reads_manifests_and_writes_reports_only(planners):
    plan = planners["batch-operations"].plan(**ARGS, prefix="jobs/")
    policy = json.loads(changes(plan, "aws_iam_role_policy.this")["policy"])
    s = {x["Sid"]: x for x in policy["Statement"]}
    assert set(s) == {"InvokeTheFunction", "ReadManifests", "WriteReports", "LocateTheBucket"}
    assert (s["InvokeTheFunction"]["Action"], s["InvokeTheFunction"]["Resource"]) == (
        "lambda:InvokeFunction",
        ARGS["function_arn"],
    )
    assert s["ReadManifests"]["Action"] == ["s3:GetObjectVersion", "s3:GetObject"]
    assert s["ReadManifests"]["Resource"] == "arn:aws:s3:::thumbs/jobs/manifests/*"
    assert (s["WriteReports"]["Action"], s["WriteReports"]["Resource"]) == (
        "s3:PutObject",
        "arn:aws:s3:::thumbs/jobs/reports/*",
    )
    for sid in ("ReadManifests", "WriteReports", "LocateTheBucket"):
        assert s[sid]["Condition"] == {"StringEquals": {"s3:ResourceAccount": "444455556666"}}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"account_id": "abc"}, 'account_id must be a 12-digit AWS account ID; got "abc".'),
        ({"bucket_account": "1"}, 'bucket_account must be a 12-digit AWS account ID; got "1".'),
        ({"prefix": "jobs"}, PREFIX + 'got "jobs".'),
    ],
)
def test_bad_values(planners, args, message):
    assert message in planners["batch-operations"].plan_error(**{**ARGS, **args})


def test_root_creates_the_role_and_names_it_in_the_function_tags(root):
    plan = root.plan(**BASE, batch_operations={}, outputs=("batch_operations_role_arn",))
    role = changes(plan, "module.batch_operations[0].aws_iam_role.this")
    assert role["name"] == "thumbnails-photos-batch-us-east-1"
    policy = changes(plan, "module.batch_operations[0].data.aws_iam_policy_document.this")
    s = {x["sid"]: x for x in policy["statement"]}
    assert s["ReadManifests"]["resources"] == ["arn:aws:s3:::thumbs/batch-operations/manifests/*"]
    (condition,) = s["ReadManifests"]["condition"]
    assert condition["values"] == ["444455556666"]  # the destination bucket's owner
    tags = changes(plan, "module.function.aws_lambda_function.this")["tags"]
    role = "arn:aws:iam::123456789012:role/thumbnails-photos-batch-us-east-1"
    assert tags["thumbnails:batch-operations-role"] == role
    assert tags["thumbnails:batch-operations-location"] == "s3://thumbs/batch-operations/"


def test_root_without_batch_operations_has_no_role_and_no_tags(root):
    plan = root.plan(**BASE)
    assert not [a for a in plan.resource_changes if "batch_operations" in a]
    tags = changes(plan, "module.function.aws_lambda_function.this")["tags"] or {}
    assert not [t for t in tags if t.startswith("thumbnails:")]


@pytest.mark.parametrize(
    "value, message",
    [
        ({"prefix": "jobs"}, "batch_operations." + PREFIX + 'got "jobs".'),
        (
            {"prefix": "/jobs/"},
            'batch_operations.prefix must not start with "/" (S3 keys have no leading slash); got "/jobs/".',
        ),
        (
            {"prefix": "thumbnails/jobs/"},
            "batch_operations.prefix must not be under destination_prefix in the destination bucket (reports there "
            'would be taken for thumbnails); got "thumbnails/jobs/" under "thumbnails/".',
        ),
    ],
)
def test_root_bad_values(root, value, message):
    assert message in root.plan_error(**BASE, batch_operations=value)
