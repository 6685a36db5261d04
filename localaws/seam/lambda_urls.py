"""Seam items 20-22: function URLs answer where their URL says (localaws/functionurls.py), their configuration is
answered as Lambda answers it, and a permission's ``FunctionUrlAuthType`` is the condition Lambda writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.awslambda import models as lambda_models
from moto.awslambda import policy as lambda_policy
from moto.core.utils import utcnow

from ..functionurls import FunctionUrls, resource_statements
from . import patch


def serve_function_urls(urls: FunctionUrls) -> None:
    """``moto.awslambda.models.LambdaFunction.create_url_config``, ``.delete_url_config`` and
    ``LambdaBackend.delete_function`` -- moto makes up ``https://<id>.lambda-url.<region>.on.aws`` and serves
    nothing there ("Function URLs are not yet mocked, so invoking them will fail"). A URL's listener is opened on
    create, its ``http://127.0.0.1:PORT/`` is the ``FunctionUrl`` answered, and it is closed with the URL or the
    function."""

    def on_create(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_url_config(self: Any, config: dict[str, Any]) -> Any:
            made = original(self, config)
            made.url = urls.open(self).url
            return made

        return create_url_config

    def on_delete(original: Callable[..., Any]) -> Callable[..., Any]:
        def delete_url_config(self: Any) -> None:
            original(self)
            urls.close(self.function_arn)

        return delete_url_config

    def on_delete_function(original: Callable[..., Any]) -> Callable[..., Any]:
        def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
            try:
                arn = self.get_function(function_name).function_arn
            except Exception:
                arn = None
            original(self, function_name, qualifier)
            if arn is not None and qualifier is None:
                urls.close(arn)

        return delete_function

    patch.replace(lambda_models.LambdaFunction, "create_url_config", on_create)
    patch.replace(lambda_models.LambdaFunction, "delete_url_config", on_delete)
    patch.replace(lambda_models.LambdaBackend, "delete_function", on_delete_function)


def answer_url_configs_as_lambda_does() -> None:
    """``moto.awslambda.models.FunctionUrlConfig.update`` -- moto applies neither an ``InvokeMode`` update nor a
    ``Cors`` removal, and stamps ``LastModifiedTime`` without its milliseconds and zone: a changed ``invoke_mode``
    showed on every plan."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def update(self: Any, new_config: dict[str, Any]) -> None:
            original(self, new_config)
            for key in ("InvokeMode", "Cors"):
                if key in new_config:
                    self.config[key] = new_config[key]
            self.last_modified = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000+0000")

        return update

    patch.replace(lambda_models.FunctionUrlConfig, "update", wrap)


def write_function_url_conditions() -> None:
    """``moto.awslambda.policy.Policy.add_statement`` -- moto keeps an ``AddPermission``'s ``FunctionUrlAuthType``
    as a key of the statement, where Lambda writes ``"Condition": {"StringEquals": {"lambda:FunctionUrlAuthType":
    ...}}``; ``GetPolicy`` (and Terraform's read of ``function_url_auth_type``) saw a statement Lambda never writes."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def add_statement(self: Any, raw: str, qualifier: str | None = None) -> tuple[Any, str]:
            statement, revision = original(self, raw, qualifier)
            (written,) = resource_statements([statement])
            statement.clear()
            statement.update(written)
            return statement, revision

        return add_statement

    patch.replace(lambda_policy.Policy, "add_statement", wrap)
