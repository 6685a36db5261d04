"""A shared bucket: where the module writes the bucket's one notification configuration, it reads it at plan (Cloud
Control, answered offline by planner.NOTIFICATIONS) and stops when it holds rules the module did not write."""

from __future__ import annotations

import pytest

from .conftest import BASE
from .planner import OTHER_TEAM_QUEUE, error_group, error_lookup

SHARED = {**BASE, "source_bucket": "shared-photos"}
READ = "data.aws_cloudcontrolapi_resource.source_bucket[0]"
WAYS = (
    'trigger = "eventbridge"',
    'trigger = "none" and add the bucket_notification_lambda_functions output',
    "replace_existing_notifications = true",
)
REFUSED = [
    {"trigger": "s3"},
    {"trigger": "sqs"},
    {"trigger": "eventbridge", "manage_bucket_eventbridge": True},
]


@pytest.fixture(scope="module")
def error_of(root):
    return error_lookup(root, "shared-bucket-errors", SHARED, REFUSED)


@pytest.mark.parametrize(
    "override",
    [pytest.param(o, marks=error_group("shared-bucket-errors", REFUSED, o)) for o in REFUSED],
    ids=lambda o: "-".join(map(str, o.values())),
)
def test_a_foreign_rule_stops_the_plan_and_names_the_ways_forward(error_of, override):
    error = error_of(override)
    assert 'The notification configuration of bucket "shared-photos" holds rules this module did not write' in error
    assert f"queue {OTHER_TEAM_QUEUE} (s3:ObjectCreated:*)" in error, "names the other team's rule"
    ours = override["trigger"] == "eventbridge"  # the module manages EventBridge delivery: not a foreign rule
    assert ("EventBridge delivery (EventBridgeConfiguration)" in error) != ours
    assert f'trigger = "{override["trigger"]}" would replace that configuration' in error
    assert all(way in error for way in WAYS), error


@pytest.mark.parametrize(
    "override",
    [{"trigger": "eventbridge"}, {"trigger": "none"}, {"replace_existing_notifications": True}],
    ids=["eventbridge", "none", "replace"],
)
def test_the_ways_forward_plan_without_reading_the_configuration(root, override):
    plan = root.plan(**{**SHARED, **override})
    assert READ not in plan.resource_changes and "module.under_test." + READ not in str(plan.resource_changes)


def test_rules_this_module_wrote_are_its_own(root):
    plan = root.plan(**{**BASE, "source_bucket": "own-photos", "function_name": "Thumbs"})
    assert any(a.endswith("s3_trigger[0].aws_s3_bucket_notification.this[0]") for a in plan.resource_changes)


def test_a_bucket_without_notifications_is_read_and_written(root):
    plan = root.plan(**BASE)
    assert any(a.endswith("s3_trigger[0].aws_s3_bucket_notification.this[0]") for a in plan.resource_changes)
