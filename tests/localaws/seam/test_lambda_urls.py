"""Pins seam items 20-23 (localaws/seam/lambda_urls.py, control.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.awslambda import models as lambda_models
from moto.awslambda import policy as lambda_policy
from moto.moto_server.werkzeug_app import DomainDispatcherApplication


def test_moto_still_serves_no_function_urls():
    assert "on.aws" in inspect.getsource(lambda_models.FunctionUrlConfig.__init__), (
        "moto gives function URLs another address now: see whether it serves them (seam item 20)"
    )
    assert "not yet mocked" in inspect.getsource(lambda_models.LambdaBackend.create_function_url_config)
    assert list(inspect.signature(lambda_models.LambdaFunction.create_url_config).parameters) == ["self", "config"]
    assert list(inspect.signature(lambda_models.LambdaBackend.delete_function).parameters) == [
        "self", "function_name", "qualifier"
    ]  # fmt: skip


def test_moto_still_drops_an_invoke_mode_update_and_keeps_the_auth_type_as_a_key():
    assert "InvokeMode" not in inspect.getsource(lambda_models.FunctionUrlConfig.update), "drop seam item 21"
    assert "FunctionUrlAuthType" not in inspect.getsource(lambda_policy.Policy), "drop seam item 22"
    assert list(inspect.signature(lambda_policy.Policy.add_statement).parameters) == ["self", "raw", "qualifier"]


def test_moto_still_dispatches_every_path_itself():
    source = inspect.getsource(DomainDispatcherApplication.__call__)
    assert "_localaws" not in source and list(inspect.signature(DomainDispatcherApplication.__call__).parameters) == [
        "self", "environ", "start_response"
    ]  # fmt: skip
