"""Pins seam items 5 and 10 (localaws/seam/sqs.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.awslambda import models as lambda_models
from moto.sqs import models as sqs_models


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


def test_redrive_policy_is_still_spaced_upstream():
    source = inspect.getsource(sqs_models.Queue.attributes.fget)
    assert 'result["RedrivePolicy"] = json.dumps(self.redrive_policy)' in source, (
        "moto changed how it writes RedrivePolicy: if it is compact now, drop seam item 10"
    )
