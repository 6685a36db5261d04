"""One S3 record from download to uploaded thumbnails, and the summary of a whole event."""

from __future__ import annotations

import logging
import time
from traceback import format_exc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import storage
from .events import MalformedRecord, S3Object, parse_record, records
from .imaging import ImageRejected, make_thumbnails
from .keys import is_under_prefix, thumbnail_key
from .logs import log
from .settings import Settings


class RetryableError(Exception):
    """Raised after every record was tried, when some failed transiently: Lambda's async retry runs the event
    again, and running it again is idempotent (same keys, same bytes)."""


@dataclass
class Summary:
    processed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"processed": self.processed, "skipped": self.skipped, "failed": self.failed}

    @property
    def transient(self) -> list[dict[str, Any]]:
        return [f for f in self.failed if f.get("transient")]


def process_event(
    event: Mapping[str, Any], settings: Settings, s3: Any, request_id: str, tmp_dir: Path
) -> Summary:
    """Process every record; a bad one is logged and reported and never stops the others."""
    summary = Summary()
    for record in records(event):
        started = time.perf_counter()
        key = bucket = None
        try:
            obj = parse_record(record)
            bucket, key = obj.bucket, obj.key
            if is_under_prefix(obj.bucket, obj.key, settings.destination_bucket, settings.destination_prefix):
                outcome, entry = "skipped", {"reason": "under the destination prefix (recursion guard)"}
            else:
                outcome, entry = "processed", {"thumbnails": process_object(obj, settings, s3, tmp_dir)}
        except storage.TransientFailure as exc:
            outcome, entry = "failed", {"reason": str(exc), "transient": True}
        except (ImageRejected, storage.PermanentFailure, MalformedRecord) as exc:
            outcome, entry = "failed", {"reason": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a bug for one record must not lose the others
            log(logging.ERROR, "unexpected error", request_id=request_id, key=key, traceback=format_exc())
            outcome, entry = "failed", {"reason": f"unexpected {type(exc).__name__}: {exc}"}
        getattr(summary, outcome).append({"bucket": bucket, "key": key, **entry})
        log(
            logging.ERROR if outcome == "failed" else logging.INFO,
            f"record {outcome}",
            request_id=request_id,
            bucket=bucket,
            key=key,
            outcome=outcome,
            ms=round((time.perf_counter() - started) * 1000, 1),
            **entry,
        )
    return summary


def process_object(obj: S3Object, settings: Settings, s3: Any, tmp_dir: Path) -> list[str]:
    """Download, make every size from one decode, upload; the temporary file is always removed."""
    download = storage.download(s3, obj, tmp_dir)
    try:
        result = make_thumbnails(
            download.path,
            settings.sizes,
            requested_format=settings.output_format,
            quality=settings.quality,
            max_pixels=settings.max_image_pixels,
        )
    finally:
        download.path.unlink(missing_ok=True)
    written = []
    for thumb in result.thumbnails:
        key = thumbnail_key(settings.destination_prefix, thumb.size, obj.key, result.source_format, thumb.format)
        storage.upload(
            s3, settings.destination_bucket, key, thumb.data, thumb.format.content_type, obj, download.etag
        )
        written.append(key)
    return written
