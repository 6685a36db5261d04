"""Seam item 13: a function's ``LoggingConfig`` kept and answered, and an ``EphemeralStorage`` update applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from moto.awslambda import models as lambda_models

from ..platformlog import LoggingConfig
from . import patch


def keep_logging_config_and_storage_updates() -> None:
    """``moto.awslambda.models.LambdaBackend.create_function``, ``.update_function_configuration`` and
    ``LambdaFunction.get_configuration`` -- wrapped so a function's ``LoggingConfig`` is kept and answered (moto
    drops it; the runtime formats logs by it: platformlog.py), and an update of ``EphemeralStorage`` is applied
    (moto keeps the size it was created with). Without them a plan of ``logging_config`` or a new
    ``ephemeral_storage`` showed a change on every apply."""

    def on_create(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_function(self: Any, spec: dict[str, Any]) -> Any:
            fn = original(self, spec)
            fn.logging_config = spec.get("LoggingConfig") or {}
            return fn

        return create_function

    def on_update(original: Callable[..., Any]) -> Callable[..., Any]:
        def update_function_configuration(
            self: Any, function_name: str, qualifier: str, body: dict[str, Any]
        ) -> dict[str, Any] | None:
            fn = self.get_function(function_name, qualifier)
            if "LoggingConfig" in body:
                fn.logging_config = {**getattr(fn, "logging_config", {}), **body["LoggingConfig"]}
            if "EphemeralStorage" in body:
                fn.ephemeral_storage = body["EphemeralStorage"]["Size"]
            return cast(dict[str, Any] | None, original(self, function_name, qualifier, body))

        return update_function_configuration

    def answered(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
            config = cast(dict[str, Any], original(self, on_create))
            config["LoggingConfig"] = LoggingConfig.of(self).api_shape()
            return config

        return get_configuration

    patch.replace(lambda_models.LambdaBackend, "create_function", on_create)
    patch.replace(lambda_models.LambdaBackend, "update_function_configuration", on_update)
    patch.replace(lambda_models.LambdaFunction, "get_configuration", answered)
