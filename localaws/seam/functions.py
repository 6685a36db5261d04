"""Finding the function an event is for, as the services that deliver events do: a missing one is not an error."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("localaws")


def function_or_none(account_id: str, region_name: str, arn: str) -> Any | None:
    """moto's function ``arn`` names, or None (logged): a missing function never fails the producer, as on AWS."""
    from moto.awslambda.utils import get_backend

    try:
        return get_backend(account_id, region_name).get_function(arn)
    except Exception:  # as AWS: a missing function never fails the producer
        log.warning("localaws: an event for %s, which does not exist, is dropped", arn)
        return None
