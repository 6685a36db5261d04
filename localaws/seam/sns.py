"""Seam item 4: SNS invokes a subscribed function asynchronously."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.awslambda import models as lambda_models

from ..asyncinvoke import AsyncInvoker
from . import patch
from .functions import function_or_none


def invoke_subscribers_asynchronously(invoker: AsyncInvoker) -> None:
    """``moto.awslambda.models.LambdaBackend.send_sns_message`` -- SNS invokes a subscribed function
    asynchronously (retries, on-failure destination); moto invoked it synchronously inside ``Publish``."""

    def send_sns_message(
        self: Any, function_name: str, message: str, subject: str | None = None, qualifier: str | None = None
    ) -> None:
        fn = function_or_none(self.account_id, self.region_name, function_name)
        if fn is None:
            return
        record = {
            "EventVersion": "1.0",
            "EventSource": "aws:sns",
            "EventSubscriptionArn": f"arn:aws:sns:{self.region_name}:{self.account_id}:subscription",
            "Sns": {
                "Type": "Notification",
                "MessageId": str(uuid.uuid4()),
                "Subject": subject,
                "Message": message,
                "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "SignatureVersion": "1",
                "MessageAttributes": {},
            },
        }
        invoker.submit(fn, json.dumps({"Records": [record]}).encode())

    patch.replace(lambda_models.LambdaBackend, "send_sns_message", lambda _original: send_sns_message)
