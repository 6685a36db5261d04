"""Pins seam item 13 (localaws/seam/lambda_configuration.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.awslambda import models as lambda_models


def test_logging_config_and_an_ephemeral_storage_update_are_still_dropped_upstream():
    backend = lambda_models.LambdaBackend
    assert list(inspect.signature(backend.create_function).parameters) == ["self", "spec"]
    assert list(inspect.signature(backend.update_function_configuration).parameters) == [
        "self", "function_name", "qualifier", "body"
    ]  # fmt: skip
    assert list(inspect.signature(lambda_models.LambdaFunction.get_configuration).parameters) == ["self", "on_create"]
    source = inspect.getsource(lambda_models.LambdaFunction)
    assert "LoggingConfig" not in source, "moto keeps LoggingConfig now: drop seam item 13's LoggingConfig"
    update = inspect.getsource(lambda_models.LambdaFunction.update_configuration)
    assert "EphemeralStorage" not in update, "moto applies an EphemeralStorage update now: drop it from seam item 13"
