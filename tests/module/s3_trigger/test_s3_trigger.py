"""modules/s3-trigger: the permission S3 needs, and the notification rules."""

from __future__ import annotations

import pytest

from ..planner import changes

FN = {"function_name": "Thumbs", "function_arn": "arn:aws:lambda:us-east-1:111122223333:function:Thumbs"}


def test_permission_names_bucket_and_account(planners):
    plan = planners["s3-trigger"].plan(bucket="my.photos", source_account="111122223333", **FN)
    permission = changes(plan, "aws_lambda_permission.s3")
    assert permission["statement_id"] == "AllowS3Invoke-my-photos"
    assert (permission["principal"], permission["source_arn"], permission["source_account"]) == (
        "s3.amazonaws.com",
        "arn:aws:s3:::my.photos",
        "111122223333",
    )
    assert permission["function_name"] == "Thumbs"


def test_rules_for_prefix_events_and_no_suffix(planners):
    plan = planners["s3-trigger"].plan(
        bucket="photos",
        source_account="111122223333",
        filter_prefix="",
        filter_suffixes=[],
        events=["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"],
        **FN,
    )
    (rule,) = changes(plan, "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert rule["events"] == ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"] and rule["filter_suffix"] is None
    assert rule["filter_prefix"] is None and rule["lambda_function_arn"] == FN["function_arn"]


@pytest.mark.parametrize(
    "args, message",
    [
        ({"filter_suffixes": ["photo.jpg", ".jpg"]}, "none may end with another"),
        ({"filter_suffixes": [""]}, "filter_suffixes must be non-empty"),
        ({"events": []}, "events must include s3:ObjectCreated:*"),
        ({"events": ["s3:ObjectRemoved:*"]}, 'the events that change a picture; got ["s3:ObjectRemoved:*"].'),
        ({"events": ["s3:ObjectCreated:*", "s3:ObjectTagging:*"]}, "events must include s3:ObjectCreated:*"),
        ({"source_account": "abc"}, 'source_account must be a 12-digit AWS account ID; got "abc".'),
    ],
)
def test_bad_values(planners, args, message):
    assert message in planners["s3-trigger"].plan_error(
        bucket="photos", **{"source_account": "111122223333", **FN, **args}
    )
