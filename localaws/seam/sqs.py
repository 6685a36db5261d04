"""Seam items 5 and 10: SQS event source mappings left to the poller, and ``RedrivePolicy`` as SQS writes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from moto.awslambda import models as lambda_models
from moto.sqs import models as sqs_models

from . import patch


def leave_queue_delivery_to_the_poller() -> None:
    """``moto.awslambda.models.LambdaBackend.create_event_source_mapping`` -- wrapped so moto's inline delivery of
    SQS messages is off; ``sqspoller.SqsPoller`` polls the mapping instead (batches, partial batch responses)."""

    def without_inline_delivery(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
            esm = original(self, spec)
            if esm.event_source_arn.split(":")[2] == "sqs":  # sqspoller.SqsPoller delivers it, not moto inline
                for queue in sqs_models.sqs_backends[self.account_id][self.region_name].queues.values():
                    queue.lambda_event_source_mappings.pop(esm.function_arn, None)
            return esm

        return create_event_source_mapping

    patch.replace(lambda_models.LambdaBackend, "create_event_source_mapping", without_inline_delivery)


def compact_redrive_policy() -> None:
    """``moto.sqs.models.Queue.attributes`` -- wrapped so ``RedrivePolicy`` is compact JSON, as SQS returns it. moto
    writes it with spaces, which the provider reads as a change to every queue with a dead-letter queue: a second
    ``terraform apply`` updated the queue again (and waited 25 s for the attributes to settle) every time."""

    def compact(original: property) -> property:
        def attributes(self: Any) -> dict[str, Any]:
            result = cast(dict[str, Any], original.fget(self))  # type: ignore[misc]
            if self.redrive_policy:
                result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
            return result

        return property(attributes)

    patch.replace(sqs_models.Queue, "attributes", compact)
