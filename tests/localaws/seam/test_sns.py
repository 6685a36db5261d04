"""Pins seam item 4 (localaws/seam/sns.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.awslambda import models as lambda_models
from moto.sns import models as sns_models


def test_sns_to_lambda_hook_signature():
    assert list(inspect.signature(lambda_models.LambdaBackend.send_sns_message).parameters) == [
        "self",
        "function_name",
        "message",
        "subject",
        "qualifier",
    ]
    assert ".send_sns_message(" in inspect.getsource(sns_models.Subscription.publish)
