"""Pins seam item 1 (localaws/seam/lambda_invoke.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.awslambda import models as lambda_models


def test_lambda_invoke_signature():
    assert list(inspect.signature(lambda_models.LambdaFunction.invoke).parameters) == [
        "self",
        "body",
        "request_headers",
        "response_headers",
    ]
