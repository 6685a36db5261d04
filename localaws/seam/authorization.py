"""Seam items 17 and 18: requests made with a function's role credentials are authorised by localaws (enforce.py),
and moto's own bucket-policy check, which ignored the policy's Principal, is off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.authorization import ActionAuthenticatorMixin
from moto.s3 import models as s3_models

from . import patch


def authorize_role_sessions(authorize: Callable[[Any, str], None]) -> None:
    """``moto.core.authorization.ActionAuthenticatorMixin._authenticate_and_authorize_action`` -- moto calls it for
    every request it serves (S3 with the bucket and key as the resource), and its own check is off
    (``INITIAL_NO_AUTH_ACTION_COUNT``). Wrapped so ``authorize(response, resource)`` decides too: a request signed
    with a function's role session is evaluated as AWS evaluates it, any other passes."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def authenticate_and_authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
            original(self, iam_request_cls, resource)
            authorize(self, resource)

        return authenticate_and_authorize

    patch.replace(ActionAuthenticatorMixin, "_authenticate_and_authorize_action", wrap)


def leave_bucket_policies_to_localaws() -> None:
    """``moto.s3.models.FakeBucket.get_permission`` -- moto applies a bucket policy's ``Deny`` to every caller,
    whatever the statement's ``Principal``, and answers an empty 403: a policy denying one role denied Terraform
    and the tests too. It answers "no opinion" here; localaws evaluates bucket policies, for the requests it
    authorises (a function's), with their principals and conditions (localaws/policy.py)."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_permission(self: Any, action: str, resource: str) -> Any:
            from moto.iam.access_control import PermissionResult

            return PermissionResult.NEUTRAL

        return get_permission

    patch.replace(s3_models.FakeBucket, "get_permission", wrap)
