"""CloudFront: what it cached of a source that changed stops being served (on_demand.invalidate)."""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from ..errors import PermanentFailure, TransientFailure
from .storage import classify

# CloudFront's answers when trying again later can succeed (at most 3,000 paths, 15 wildcards in progress).
BUSY_CODES = frozenset({"TooManyInvalidationsInProgress", "Throttling", "ServiceUnavailable", "InternalError"})


def invalidate(client: Any, distribution_id: str, paths: list[str], reference: str) -> str:
    """One invalidation of ``paths``; ``reference`` (with the paths' digest) makes a retry of the same change the
    same request, which CloudFront answers with the invalidation it already made. Returns its ID."""
    digest = hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()[:16]
    try:
        response = client.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"{reference}-{digest}",
            },
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in BUSY_CODES:
            raise TransientFailure(f"invalidate: {code} (will be retried)") from exc
        raise PermanentFailure(f"invalidate: {code}: {exc}") from exc
    except Exception as exc:  # classified, not swallowed
        raise classify(exc, "invalidate") from exc
    return str(response["Invalidation"]["Id"])
