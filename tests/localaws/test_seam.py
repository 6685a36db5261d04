"""The seam localaws puts into moto, pinned against the moto version in pyproject.toml.

If one of these fails after a moto upgrade, moto moved the function the seam replaces: read localaws/seam.py
and the new moto code, and move the seam with it.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

from moto.awslambda import models as lambda_models
from moto.s3 import notifications

from localaws import seam


def test_pinned_moto():
    assert version("moto") == "5.2.5", "the seam is tested against moto 5.2.5; see this file's docstring"


def test_lambda_invoke_signature():
    assert list(inspect.signature(lambda_models.LambdaFunction.invoke).parameters) == [
        "self", "body", "request_headers", "response_headers"]


def test_s3_notification_hook_signature():
    assert list(inspect.signature(notifications._invoke_awslambda).parameters) == [
        "account_id", "event_body", "fn_arn", "region_name"]
    assert "_invoke_awslambda(" in inspect.getsource(notifications.send_event)


def test_install_and_uninstall_restore_moto(tmp_path):
    original = (lambda_models.LambdaFunction.invoke, notifications._invoke_awslambda)
    seam.install(object(), object())  # type: ignore[arg-type]
    try:
        assert lambda_models.LambdaFunction.invoke is not original[0]
        assert notifications._invoke_awslambda is not original[1]
    finally:
        seam.uninstall()
    assert (lambda_models.LambdaFunction.invoke, notifications._invoke_awslambda) == original
