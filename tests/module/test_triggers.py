"""Plan tests of the root module's trigger modes, names and roles: what each mode creates and how it is scoped."""

from __future__ import annotations

import json

import pytest

from .conftest import BASE
from .planner import changes, error_group, error_lookup

TOPIC = "arn:aws:sns:us-east-1:111122223333:bucket-events"


def references(plan, module: str, address: str, attribute: str) -> list[str]:
    """What a resource's attribute refers to in the configuration (for values known only after apply)."""
    calls = plan["configuration"]["root_module"]["module_calls"]["under_test"]["module"]["module_calls"]
    resources = {r["address"]: r for r in calls[module]["module"]["resources"]}
    return resources[address]["expressions"][attribute]["references"]


def trigger_resources(plan) -> set[str]:
    return {a.split("module.", 2)[-1] for a in plan.resource_changes if "_trigger[" in a}


def test_s3_mode_manages_the_notification_and_nothing_else(root):
    made = trigger_resources(root.plan(**BASE))
    assert made == {"s3_trigger[0].aws_lambda_permission.s3", "s3_trigger[0].aws_s3_bucket_notification.this[0]"}


def test_eventbridge_mode_rule_target_and_a_permission_for_that_rule_only(root):
    plan = root.plan(**BASE, trigger="eventbridge", filter_prefix="in put/", filter_suffixes=[".jpg", ".PNG"])
    assert not [a for a in plan.resource_changes if "aws_s3_bucket_notification" in a], "the bucket is not touched"
    rule = changes(plan, "eventbridge_trigger[0].aws_cloudwatch_event_rule.this")
    assert rule["name"] == "thumbnails-photos-objects" and rule["event_bus_name"] == "default"
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created", "Object Deleted"],
        "detail": {
            "bucket": {"name": ["photos"]},
            "object": {"key": [{"wildcard": "in+put/*.jpg"}, {"wildcard": "in+put/*.PNG"}]},
        },
    }, "keys arrive URL-encoded in S3's EventBridge events, so the prefix is encoded too"
    permission = changes(plan, "eventbridge_trigger[0].aws_lambda_permission.events[0]")
    assert (permission["principal"], permission["action"]) == ("events.amazonaws.com", "lambda:InvokeFunction")
    assert references(plan, "eventbridge_trigger", "aws_lambda_permission.events", "source_arn")[0] == (
        "aws_cloudwatch_event_rule.this.arn"
    )
    assert references(plan, "eventbridge_trigger", "aws_cloudwatch_event_target.this", "arn") == ["var.target_arn"]


def test_eventbridge_mode_without_deletions_and_with_the_bucket_flag(root):
    plan = root.plan(
        **BASE,
        trigger="eventbridge",
        delete_thumbnails=False,
        filter_prefix="uploads/",
        filter_suffixes=[],
        manage_bucket_eventbridge=True,
    )
    pattern = json.loads(changes(plan, "aws_cloudwatch_event_rule.this")["event_pattern"])
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": "uploads/"}]
    notification = changes(plan, "eventbridge_trigger[0].aws_s3_bucket_notification.this[0]")
    assert notification["eventbridge"] is True and notification["queue"] == [] == notification["lambda_function"]


def test_sqs_mode_queue_policy_mapping_and_receive_permission(root):
    plan = root.plan(
        **BASE,
        trigger="sqs",
        timeout=120,
        sqs={"batch_size": 50, "maximum_batching_window_in_seconds": 5, "maximum_concurrency": 3},
    )
    queue = changes(plan, "sqs_trigger[0].aws_sqs_queue.this")
    assert queue["name"] == "thumbnails-photos-events" and queue["sqs_managed_sse_enabled"] is True
    assert queue["visibility_timeout_seconds"] == 720, "six times the function's timeout"
    assert changes(plan, "aws_sqs_queue.dead_letter")["name"] == "thumbnails-photos-events-dlq"
    # The policy is the queue's own attribute: a separate aws_sqs_queue_policy cost every apply a 25 s wait.
    assert not [a for a in plan.resource_changes if a.endswith("aws_sqs_queue_policy.this")]
    [queue_change] = [c for a, c in plan.resource_changes.items() if a.endswith("sqs_trigger[0].aws_sqs_queue.this")]
    assert queue_change["change"]["after_unknown"]["policy"], "inline: it names the queue's ARN, known with the DLQ's"
    mapping = changes(plan, "aws_lambda_event_source_mapping.this")
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert (mapping["batch_size"], mapping["maximum_batching_window_in_seconds"]) == (50, 5)
    assert mapping["scaling_config"] == [{"maximum_concurrency": 3}]
    [receive] = changes(plan, "data.aws_iam_policy_document.receive")["statement"]
    assert receive["actions"] == ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    role = changes(plan, "aws_iam_role_policy.receive[0]")["role"]
    assert role == "thumbnails-photos-us-east-1", "the function's role"
    rules = changes(plan, "sqs_trigger[0].aws_s3_bucket_notification.this[0]")["queue"]
    assert {tuple(sorted(r["events"])) for r in rules} == {
        ("s3:LifecycleExpiration:*", "s3:ObjectCreated:*", "s3:ObjectRemoved:*")
    }
    assert {r["filter_prefix"] for r in rules} == {None} and len(rules) == 10, 'every key (filter_prefix "")'


@pytest.mark.parametrize(
    "source, service, sender",
    [
        ("s3", "s3.amazonaws.com", "arn:aws:s3:::photos"),
        ("eventbridge", "events.amazonaws.com", "arn:aws:events:us-east-1:111122223333:rule/thumbnails-photos-objects"),
    ],
)
def test_sqs_queue_admits_only_the_bucket_or_its_rule_from_the_bucket_account(root, source, service, sender):
    plan = root.plan(**BASE, trigger="sqs", sqs={"source": source})
    [statement] = changes(plan, "data.aws_iam_policy_document.queue")["statement"]
    assert statement["actions"] == ["sqs:SendMessage"]
    assert statement["principals"] == [{"type": "Service", "identifiers": [service]}]
    conditions = {(c["test"], c["variable"]): c["values"] for c in statement["condition"]}
    assert conditions == {
        ("ArnEquals", "aws:SourceArn"): [sender],
        ("StringEquals", "aws:SourceAccount"): ["111122223333"],
    }
    notifications = [a for a in plan.resource_changes if "aws_s3_bucket_notification" in a]
    assert bool(notifications) == (source == "s3"), "with EventBridge the bucket's configuration is not touched"
    if source == "eventbridge":
        assert references(plan, "eventbridge_trigger", "aws_cloudwatch_event_target.this", "arn") == ["var.target_arn"]


def test_sns_mode_subscribes_with_a_permission_for_that_topic(root):
    plan = root.plan(**BASE, trigger="sns", sns_topic_arn=TOPIC)
    subscription = changes(plan, "aws_sns_topic_subscription.this")
    assert (subscription["topic_arn"], subscription["protocol"]) == (TOPIC, "lambda")
    permission = changes(plan, "aws_lambda_permission.sns")
    assert (permission["principal"], permission["source_arn"]) == ("sns.amazonaws.com", TOPIC)
    assert not [a for a in plan.resource_changes if "aws_s3_bucket_notification" in a]


def test_none_mode_keeps_the_permission_and_outputs_the_rules(root):
    plan = root.plan(**BASE, trigger="none", filter_suffixes=[], outputs=("bucket_notification_lambda_functions",))
    assert trigger_resources(plan) == {"s3_trigger[0].aws_lambda_permission.s3"}
    rules = plan.output_changes["bucket_notification_lambda_functions"]["after"]
    assert len(rules) == 1 and rules[0]["filter_prefix"] is None
    assert sorted(rules[0]["events"]) == ["s3:LifecycleExpiration:*", "s3:ObjectCreated:*", "s3:ObjectRemoved:*"]


def test_role_is_named_for_the_region_and_takes_a_path_and_a_boundary(root):
    boundary = "arn:aws:iam::111122223333:policy/boundary"
    plan = root.plan(**BASE, role_path="/apps/", role_permissions_boundary=boundary)
    role = changes(plan, "module.function.aws_iam_role.lambda[0]")
    assert (role["name"], role["path"], role["permissions_boundary"]) == (
        "thumbnails-photos-us-east-1",
        "/apps/",
        boundary,
    )
    assert changes(root.plan(**BASE, role_name="thumbs-role"), "aws_iam_role.lambda[0]")["name"] == "thumbs-role"


def test_bring_your_own_role(root):
    arn = "arn:aws:iam::111122223333:role/mine"
    queue = "arn:aws:sqs:us-east-1:111122223333:failed"
    plan = root.plan(
        **BASE, create_role=False, role_arn=arn, trigger="sqs", on_failure_destination_arn=queue,
        outputs=("policy_json",),
    )  # fmt: skip
    assert not [a for a in plan.resource_changes if "aws_iam_role" in a], "no role, no policy attached to yours"
    assert changes(plan, "module.function.aws_lambda_function.this")["role"] == arn
    sids = {
        s["sid"]
        for doc in ("lambda", "setup")
        for s in changes(plan, f"module.function.data.aws_iam_policy_document.{doc}")["statement"]
    }
    assert {"ReadSources", "WriteThumbnails", "WriteOwnLogs", "SendFailedEvents"} <= sids
    assert "policy_json" in plan.output_changes
    # policy_json is one document: both policies the module's own role would have.
    merged = changes(plan, "module.function.data.aws_iam_policy_document.policy_json")["source_policy_documents"]
    assert len(merged) == 2, merged


BAD = [
    ({"trigger": "kinesis"}, 'trigger must be one of s3, eventbridge, sqs, sns, none; got "kinesis".'),
    ({"trigger": "sns"}, 'sns_topic_arn must be set exactly when trigger = "sns"'),
    ({"sns_topic_arn": TOPIC}, 'sns_topic_arn must be set exactly when trigger = "sns"'),
    ({"trigger": "sns", "sns_topic_arn": "topic"}, "topic_arn must be the ARN of an SNS topic"),
    ({"sqs": {"source": "sns"}}, 'sqs.source must be "s3" or "eventbridge"; got "sns".'),
    ({"sqs": {"batch_size": 0}}, "sqs.batch_size must be a whole number between 1 and 10000"),
    ({"sqs": {"batch_size": 100}}, "sqs.maximum_batching_window_in_seconds must be between 1 and 300 seconds"),
    ({"sqs": {"maximum_concurrency": 1}}, "sqs.maximum_concurrency must be between 2 and 1000"),
    ({"sqs": {"max_receive_count": 0}}, "sqs.max_receive_count must be between 1 and 1000"),
    ({"create_role": False}, "role_arn must be the ARN of an IAM role"),
    ({"role_arn": "arn:aws:iam::111122223333:role/x"}, "and null otherwise"),
    ({"role_name": "a" * 65}, "role_name must be 1 to 64 letters"),
    (
        {"role_path": "apps"},
        'role_path must begin and end with / (IAM\'s rule for paths, at most 512 characters); got "apps".',
    ),
    (
        {"role_permissions_boundary": "boundary"},
        "role_permissions_boundary must be the ARN of an IAM managed policy",
    ),
]


FAILING = [args for args, _ in BAD]


@pytest.fixture(scope="module")
def error_of(root):
    return error_lookup(root, "trigger-plan-errors", BASE, FAILING)


# The plans above must all fail: they are planned together in chunks, each once (planner.error_lookup).
@pytest.mark.parametrize(
    "args, message", [pytest.param(a, m, marks=error_group("trigger-plan-errors", FAILING, a)) for a, m in BAD]
)
def test_bad_trigger_and_role_values_fail_at_plan(error_of, args, message):
    assert message in error_of(args)
