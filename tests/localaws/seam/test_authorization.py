"""Pins seam items 17 and 18 (localaws/seam/authorization.py) against the pinned moto."""

from __future__ import annotations

import inspect


def test_moto_still_authorises_through_one_hook_switched_off_by_default():
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    hook = ActionAuthenticatorMixin._authenticate_and_authorize_action
    assert list(inspect.signature(hook).parameters) == ["self", "iam_request_cls", "resource"]
    assert settings.INITIAL_NO_AUTH_ACTION_COUNT == float("inf"), "moto's own IAM check is off unless asked"
    for caller in ("_authenticate_and_authorize_normal_action", "_authenticate_and_authorize_s3_action"):
        assert "_authenticate_and_authorize_action" in inspect.getsource(getattr(ActionAuthenticatorMixin, caller))


def test_moto_still_ignores_a_bucket_policys_principal():
    from moto.iam.access_control import IAMPolicyStatement
    from moto.s3.models import FakeBucket

    assert list(inspect.signature(FakeBucket.get_permission).parameters) == ["self", "action", "resource"]
    statement = {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:role/one"}, "Action": "s3:*", "Resource": "*"}
    denied = IAMPolicyStatement(statement).is_action_permitted("s3:GetObject", "arn:aws:s3:::b/k")
    assert denied.name == "DENIED", "moto now honours a bucket policy's Principal: drop seam item 18"
