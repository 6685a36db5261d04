"""Each change from download (or removal) to thumbnails, reconciled with what the object is *now*.

Events arrive at least once and in any order, so an event is only a hint that an object changed. For every
change the pipeline makes the thumbnails match the object's current state:

- the object exists: render its current version, write the thumbnails (their metadata records the version's ETag
  and version id), then look at the object again; if it changed meanwhile, render again;
- the object is gone: remove its thumbnails, then look again; if it came back meanwhile, render it.

The check *after* the write is what makes the latest version win: of two runs racing on one key, the one that
writes last also checks last, and it sees the newest version (or the deletion) and converges to it.

With a catalogue (catalogue.py), the rows follow the thumbnails: written once the thumbnails are, removed once
they are. The catalogue is passed in (None: off), so this module never imports the database driver.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from traceback import format_exc
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import quote

from .aws import storage
from .aws.events import CREATE, IGNORE, Change, Intake, Item
from .aws.logs import log
from .errors import ImageRejected, PermanentFailure, TransientFailure
from .keys import file_name, is_under_prefix, key_too_long, longest_thumbnail_key, thumbnail_key, thumbnail_keys_of
from .picture import containment, previews
from .picture.formats import OUTPUTS
from .picture.imaging import Result as Rendering
from .picture.imaging import check_header, make_thumbnails, prepare_decoders
from .picture.sizes import Size
from .settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client  # types only: mypy-boto3-s3 is a development dependency

    from .catalogue.catalogue import Catalogue, Row  # imported by app.py only when the catalogue is on

# Invalidates CloudFront's copies of these paths (aws/cdn.py), with a reference that names the change.
Invalidate = Callable[[list[str], str], object]
# How often one run re-renders an object that keeps changing under it before it gives up (transiently).
MAX_ROUNDS = 4
# A change after the first is started only while the invocation has at least this long left, and twice its slowest
# change so far:
# a batch whose time runs out mid-way fails whole (every message back, none counted or logged), so the changes
# that cannot finish are reported not tried -- transient, logged, counted -- and the done ones are kept.
RESERVE_MS = 1000
NOT_TRIED = "not tried: the invocation's time was running out (it comes back)"
PROCESSED, DELETED, SKIPPED, FAILED = "processed", "deleted", "skipped", "failed"


class OutcomeFields(TypedDict, total=False):
    """What became of a change, as its log line and the summary (aws/responses.py) say it."""

    thumbnails: list[str]
    reason: str
    transient: bool


@dataclass
class Outcome:
    status: str  # PROCESSED, DELETED, SKIPPED or FAILED
    reason: str | None = None
    thumbnails: list[str] = field(default_factory=list)  # written (PROCESSED) or removed (DELETED)
    transient: bool = False

    def as_dict(self) -> OutcomeFields:
        entry: OutcomeFields = {}
        if self.status in (PROCESSED, DELETED):
            entry["thumbnails"] = self.thumbnails
        if self.reason:
            entry["reason"] = self.reason
        if self.transient:
            entry["transient"] = True
        return entry


@dataclass
class Result:
    """One item of the intake and what became of each of its changes."""

    item: Item
    outcomes: list[tuple[Change | None, Outcome]]

    @property
    def transient(self) -> bool:
        return any(outcome.transient for _, outcome in self.outcomes)

    @property
    def failed(self) -> bool:
        return any(outcome.status == FAILED for _, outcome in self.outcomes)


@dataclass(frozen=True)
class Rendered:
    """One version of an object made into thumbnails and written."""

    version: storage.Version
    source_bytes: int
    rendering: Rendering
    keys: list[str]  # written, in the order of rendering.thumbnails


def process(
    intake: Intake,
    settings: Settings,
    s3: S3Client,
    request_id: str,
    tmp_dir: Path,
    catalogue: Catalogue | None = None,
    remaining_ms: Callable[[], int] | None = None,
    invalidate: Invalidate | None = None,
) -> list[Result]:
    """Process every change of every item; a bad one is logged and reported and never stops the others.

    ``remaining_ms`` (the Lambda context's ``get_remaining_time_in_millis``): once too little time is left to
    finish another change, the rest are reported not tried, as transient failures. ``invalidate(paths,
    reference)``: with on_demand.invalidate, what CloudFront cached of a changed source's on-demand variants stops
    being served (aws/cdn.py); None: nothing is invalidated."""
    results = []
    slowest_ms, tried = 0.0, False  # the first change is always tried: if it cannot finish, nothing else was done
    for item in intake.items:
        outcomes: list[tuple[Change | None, Outcome]] = []
        if item.changes and tried and remaining_ms is not None and remaining_ms() < max(RESERVE_MS, 2 * slowest_ms):
            for change in item.changes:
                outcome = Outcome(FAILED, NOT_TRIED, transient=True)
                _log(request_id, intake.kind, item, change, outcome, 0.0)
                outcomes.append((change, outcome))
            results.append(Result(item, outcomes))
            continue
        if item.error:
            outcome = Outcome(FAILED, item.error)
            _log(request_id, intake.kind, item, None, outcome, 0.0)
            outcomes.append((None, outcome))
        elif item.test_event:
            log(logging.INFO, "S3 test event acknowledged", request_id=request_id, source=intake.kind, item=item.id)
        for change in item.changes:
            started = time.perf_counter()
            outcome = _guarded(partial(apply, change, settings, s3, tmp_dir, catalogue, invalidate), request_id, change)
            seconds = time.perf_counter() - started
            slowest_ms = max(slowest_ms, seconds * 1000)
            tried = True
            _log(request_id, intake.kind, item, change, outcome, seconds)
            outcomes.append((change, outcome))
        results.append(Result(item, outcomes))
    return results


def _guarded(run: Callable[[], Outcome], request_id: str, change: Change) -> Outcome:
    try:
        return run()
    except TransientFailure as exc:
        return Outcome(FAILED, str(exc), transient=True)
    except (ImageRejected, PermanentFailure) as exc:
        return Outcome(FAILED, str(exc))
    except Exception as exc:  # a bug for one record must not lose the others
        log(logging.ERROR, "unexpected error", request_id=request_id, key=change.key, traceback=format_exc())
        return Outcome(FAILED, f"unexpected {type(exc).__name__}: {exc}")


def _log(request_id: str, kind: str, item: Item, change: Change | None, outcome: Outcome, seconds: float) -> None:
    log(
        logging.ERROR if outcome.status == FAILED else logging.INFO,
        f"record {outcome.status}",
        request_id=request_id,
        source=kind,
        item=item.id,
        bucket=change.bucket if change else None,
        key=change.key if change else None,
        event=change.event_name if change else None,
        outcome=outcome.status,
        ms=round(seconds * 1000, 1),
        **outcome.as_dict(),
    )


def apply(
    change: Change,
    settings: Settings,
    s3: S3Client,
    tmp_dir: Path,
    catalogue: Catalogue | None = None,
    invalidate: Invalidate | None = None,
) -> Outcome:
    """Make the thumbnails of ``change``'s object (and its catalogue rows) match what the object is now."""
    if change.action == IGNORE:
        return Outcome(SKIPPED, f"{change.event_name}: the picture did not change")
    if is_under_prefix(change.bucket, change.key, settings.destination_bucket, settings.destination_prefix):
        return Outcome(SKIPPED, "under the destination prefix (recursion guard)")
    if change.action == CREATE:
        if problem := key_too_long(_longest_key(change.key, settings), change.key):
            raise PermanentFailure(problem)  # before any work: no download, no render, nothing written
        return _reconcile(change, settings, s3, tmp_dir, catalogue, invalidate, exists=True)
    if not settings.delete_thumbnails:
        return Outcome(SKIPPED, f"{change.event_name}: DELETE_THUMBNAILS is off")
    if storage.current_version(s3, change.bucket, change.key) is not None:
        return Outcome(SKIPPED, f"{change.event_name}: the object still exists (a non-current version went)")
    return _reconcile(change, settings, s3, tmp_dir, catalogue, invalidate, exists=False)


def _longest_key(source_key: str, settings: Settings) -> str:
    """The longest key a thumbnail of ``source_key`` may get: OUTPUT_FORMATS' extensions; with one format (or
    auto), any format's, since whether the key carries one is known only once the picture is decoded."""
    names = settings.output_formats or tuple(OUTPUTS)
    return longest_thumbnail_key(
        settings.destination_prefix, settings.sizes, source_key, (OUTPUTS[n].extension for n in names)
    )


def _reconcile(
    change: Change,
    settings: Settings,
    s3: S3Client,
    tmp_dir: Path,
    catalogue: Catalogue | None,
    invalidate: Invalidate | None,
    exists: bool,
) -> Outcome:
    """Render or remove, then look at the object again; repeat while it changes under us."""
    removed: list[str] = []
    for _ in range(MAX_ROUNDS):
        if exists:
            rendered = render_current(change, settings, s3, tmp_dir)
            if rendered is None:  # it went before we could read it
                exists = False
                continue
            current = storage.current_version(s3, change.bucket, change.key)
            if current == rendered.version:
                if catalogue is not None:
                    catalogue.record(rows(change, settings.destination_bucket, rendered))
                if retired := _retire_variants(change, settings, s3, invalidate, rendered.version.etag):
                    rendered.rendering.notes.append(f"{len(retired)} on-demand variant(s) of an older version removed")
                notes = "; ".join(rendered.rendering.notes) or None
                return Outcome(PROCESSED, notes, thumbnails=rendered.keys)
            exists = current is not None  # changed, or went, while we worked
        else:
            if settings.delete_thumbnails:
                removed += _retire_variants(change, settings, s3, invalidate, None)
            removed += _remove(change, settings, s3)
            if catalogue is not None:
                catalogue.forget(change.bucket, change.key, change.sequencer)
            if storage.current_version(s3, change.bucket, change.key) is None:
                if removed:
                    return Outcome(DELETED, thumbnails=removed)
                return Outcome(SKIPPED, f"{change.event_name}: the object no longer exists and has no thumbnails")
            exists = True  # it came back while we removed: render it
    raise TransientFailure(f"the object changed {MAX_ROUNDS} times while its thumbnails were made")


def _retire_variants(
    change: Change, settings: Settings, s3: S3Client, invalidate: Invalidate | None, etag: str | None
) -> list[str]:
    """The on-demand variants of ``change``'s object made from another version than ``etag`` (None: every one, the
    object is gone): CloudFront is told first (one invalidation for the source, every path it may have cached them
    under), then they are deleted; the next request makes them again from the current picture."""
    if not settings.on_demand_presets:
        return []
    prefix = settings.destination_prefix
    candidates = [
        thumbnail_key(prefix, size, change.key, "", OUTPUTS[name], extension=True)
        for size in settings.on_demand_sizes
        for name in settings.on_demand_formats
    ]
    named, digest = (storage.source_metadata(change.bucket, change.key, by_name) for by_name in (True, False))
    stale = storage.find_ours(s3, settings.destination_bucket, candidates, named, digest, unless_etag=etag)
    if stale and invalidate is not None:
        invalidate(invalidation_paths(settings, change.key, stale), f"{change.key[-64:]}-{etag or 'gone'}")
    storage.delete(s3, settings.destination_bucket, stale)
    return stale


def invalidation_paths(settings: Settings, source_key: str, keys: list[str]) -> list[str]:
    """Where CloudFront may have cached ``keys`` (variants of ``source_key``): the cache key is the path after the
    viewer-request function's rewrite (the stored key), and AWS advises invalidating the viewer's path as well, so
    both: ``/{key}`` and ``/{preset}/{source key}`` of each preset of those sizes, URL-encoded as browsers send
    them."""
    prefix = settings.destination_prefix
    sizes = {key[len(prefix) :].partition("/")[0] for key in keys}
    paths = ["/" + quote(key, safe="/") for key in keys]
    paths += [
        f"/{name}/{quote(source_key, safe='/')}" for name, size in settings.on_demand_presets if size.label in sizes
    ]
    return sorted(set(paths))


def render_current(
    change: Change,
    settings: Settings,
    s3: S3Client,
    tmp_dir: Path,
    sizes: tuple[Size, ...] | None = None,
    formats: tuple[str, ...] | None = None,
) -> Rendered | None:
    """Download the current version, make every size from one decode, upload; None when there is no object.

    ``sizes`` and ``formats``: one variant asked for on request (ondemand.py), always keyed with its format's
    extension; by default THUMBNAIL_SIZES in OUTPUT_FORMAT(S), as configured.

    A picture's native decoding runs in a child process unless it is a JPEG (picture/containment.py): a decoder
    that crashes, hangs or runs out of memory refuses this record and no other."""
    extension = bool(settings.output_formats) or formats is not None
    prepare_decoders(settings.extra_formats, settings.colour)
    check = partial(
        check_header,
        max_pixels=settings.max_image_pixels,
        extra_formats=settings.extra_formats,
        memory_mb=settings.memory_mb,
    )

    def inspect(header: bytes) -> None:
        if previews.kind(header, settings.extra_formats):
            return  # a PDF or a video: its own caps are checked in the child, before anything is rendered
        if containment.header_read_in_process(header):
            check(header)
        else:
            containment.contained(partial(check, header), memory_mb=settings.memory_mb)

    download = storage.download(s3, change.bucket, change.key, tmp_dir, settings.max_object_bytes, inspect)
    if download is None:
        return None
    render = partial(
        make_thumbnails,
        download.path,
        settings.sizes if sizes is None else sizes,
        requested_format=settings.output_format,
        quality=settings.quality,
        max_pixels=settings.max_image_pixels,
        crop=settings.crop,
        animation=settings.animation,
        animation_max_pixels=settings.animation_max_pixels,
        animation_max_frames=settings.animation_max_frames,
        extra_formats=settings.extra_formats,
        memory_mb=settings.memory_mb,
        formats=settings.output_formats if formats is None else formats,
        colour=settings.colour,
        jpeg_progressive=settings.jpeg_progressive,
        poster_seconds=settings.video_poster_ms / 1000 or None,
    )
    try:
        with download.path.open("rb") as source:
            header = source.read(storage.HEADER_BYTES)
        if containment.decoded_in_process(header):
            result = render()
        else:
            seconds = previews.seconds(header, settings.extra_formats)
            result = containment.contained(render, seconds=seconds, memory_mb=settings.memory_mb)
    finally:
        download.path.unlink(missing_ok=True)
    metadata = _metadata(change, settings, download, result)
    headers = _headers(settings)
    written = []
    for thumb in result.thumbnails:
        key = thumbnail_key(
            settings.destination_prefix,
            thumb.size,
            change.key,
            result.source_format,
            thumb.format,
            extension=extension,
        )
        name = file_name(change.key, thumb.format)
        storage.upload(
            s3, settings.destination_bucket, key, thumb.data, thumb.format.content_type, metadata, headers, name
        )
        written.append(key)
    return Rendered(download.version, download.size, result, written)


def _metadata(change: Change, settings: Settings, download: storage.Download, result: Rendering) -> dict[str, str]:
    """Every thumbnail's user metadata: its source (named, or a digest), the placeholder, and the source's own
    metadata that COPY_METADATA names (what S3's 2 KB limit leaves no room for is said in the log line)."""
    named = settings.source_metadata
    metadata = storage.source_metadata(change.bucket, change.key, named)
    if named:
        metadata |= download.version.metadata()
    metadata["blurhash"] = result.blurhash  # the placeholder, useful without a catalogue
    metadata |= result.details  # a PDF's page count and page size, a video's duration and poster time
    if settings.copy_metadata:
        copied = storage.copied_metadata(download.metadata, settings.copy_metadata, metadata)
        if dropped := [n for n in settings.copy_metadata if n in download.metadata and n not in copied]:
            result.notes.append(
                f"metadata not copied: {', '.join(dropped)} would pass S3's {storage.MAX_USER_METADATA}-byte limit"
            )
        metadata = copied | metadata
    return metadata


def _headers(settings: Settings) -> storage.Headers:
    return storage.Headers(
        cache_control=settings.cache_control,
        content_disposition=settings.content_disposition,
        storage_class=settings.storage_class,
        tags=settings.tags,
    )


def rows(change: Change, thumbnail_bucket: str, rendered: Rendered) -> list[Row]:
    """The catalogue's rows for what was written: one per size and format."""
    from .catalogue.catalogue import Row

    rendering = rendered.rendering
    details = rendering.details  # a PDF's page count and size (picture/previews.py); none for a picture
    return [
        Row(
            source_bucket=change.bucket,
            source_key=change.key,
            source_version_id=rendered.version.version_id,
            source_etag=rendered.version.etag,
            source_bytes=rendered.source_bytes,
            source_width=rendering.source_width,
            source_height=rendering.source_height,
            source_format=rendering.source_format.lower(),  # as OUTPUT_FORMAT names formats
            size=thumb.size.label,
            thumbnail_bucket=thumbnail_bucket,
            thumbnail_key=key,
            width=thumb.width,
            height=thumb.height,
            bytes=len(thumb.data),
            format=thumb.format.name,
            blurhash=rendering.blurhash,
            sequencer=change.sequencer,
            source_pages=int(details["page-count"]) if "page-count" in details else None,
            source_page_width=float(details["page-width"]) if "page-width" in details else None,
            source_page_height=float(details["page-height"]) if "page-height" in details else None,
        )
        for thumb, key in zip(rendering.thumbnails, rendered.keys, strict=True)
    ]


def _remove(change: Change, settings: Settings, s3: S3Client) -> list[str]:
    if not settings.delete_thumbnails:
        return []
    candidates = thumbnail_keys_of(settings.destination_prefix, settings.sizes, change.key)
    # Either kind of metadata: thumbnails written before source_metadata changed are still this object's.
    named, digest = (storage.source_metadata(change.bucket, change.key, by_name) for by_name in (True, False))
    return storage.remove(s3, settings.destination_bucket, candidates, named, digest)
