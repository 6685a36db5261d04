"""Thumbnails on request: a variant a page asked for, made when CloudFront's S3 origin did not have it.

CloudFront's viewer-request function (modules/on-demand/viewer-request.js) turns ``/{preset}/{key}`` and the
``Accept`` header into the variant's stored key, ``/{prefix}{size}/{key}{.format}``; the thumbnails bucket answers
it, and only on a miss does the request reach this function, through its URL. Here the key is read back into a
size, a format and a source key, checked (a preset's size, or a size signed with the secret when one is set; a
format that is on), rendered by the upload path's own code (pipeline.render_current: same picture core, same key,
headers, metadata and catalogue row), stored, and answered. Nothing here knows HTTP's wire format: aws/urls.py
turns the function URL's event into a path and its answer into a response.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .aws import storage
from .aws.events import CREATE, Change
from .errors import ImageRejected, PermanentFailure, TransientFailure
from .keys import MAX_KEY_BYTES, file_name, is_under_prefix, key_too_long
from .picture.formats import OUTPUTS, OutputFormat
from .picture.sizes import Size, parse_size
from .pipeline import render_current, rows
from .settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from .catalogue.catalogue import Catalogue

# Lambda's limit for a function URL's buffered response; the body travels base64-encoded inside it.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024
MISSING_MAX_AGE = 60  # seconds a 404 may be cached: an upload under way is found again soon


@dataclass(frozen=True)
class Wanted:
    """A variant as its stored key names it."""

    key: str  # the thumbnail key, as stored
    source_key: str
    size: Size
    format: OutputFormat


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reason: str = ""  # a refusal's, logged and counted (never the key)


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def wanted(path: str, settings: Settings, signature: str = "", secret: Callable[[], bytes] | None = None) -> Wanted:
    """The variant ``path`` (a URL path, percent-encoded) names, if it may be made; Refused otherwise."""
    key = unquote(path.lstrip("/"))
    if problem := key_too_long(key):
        raise Refused(414, problem)
    prefix = settings.destination_prefix
    if not key.startswith(prefix):
        raise Refused(400, f"not a thumbnail: the path is not under the thumbnails prefix {prefix!r}")
    label, _, rest = key[len(prefix) :].partition("/")
    try:
        size = parse_size(label)
    except ValueError:
        raise Refused(400, f"not a thumbnail: {label!r} is not a size") from None
    if size.label != label:
        raise Refused(400, f"not a thumbnail: the size is written {size.label}, not {label!r}")
    fmt = next((OUTPUTS[n] for n in settings.on_demand_formats if rest.endswith(OUTPUTS[n].extension)), None)
    if fmt is None:
        enabled = ", ".join(OUTPUTS[n].extension for n in settings.on_demand_formats)
        raise Refused(400, f"not a thumbnail: the key ends in none of the enabled formats' extensions ({enabled})")
    source_key = rest[: -len(fmt.extension)]
    if not source_key or not source_key.startswith(settings.source_prefix):
        raise Refused(
            400, f"not a thumbnail: the source key is not under the uploads prefix {settings.source_prefix!r}"
        )
    if is_under_prefix(settings.source_bucket, source_key, settings.destination_bucket, prefix):
        raise Refused(400, "not a thumbnail: the source is itself under the thumbnails prefix")
    if size not in settings.on_demand_sizes:
        _check_signed(size, source_key, settings, signature, secret)
    return Wanted(key, source_key, size, fmt)


def signature_of(secret: bytes, size: Size, source_key: str) -> str:
    """The hex HMAC-SHA256 of ``{size}/{source key}`` that a signed size carries (``?sig=``)."""
    return hmac.new(secret, f"{size.label}/{source_key}".encode(), hashlib.sha256).hexdigest()


def _check_signed(
    size: Size, source_key: str, settings: Settings, signature: str, secret: Callable[[], bytes] | None
) -> None:
    if not settings.on_demand_signing_secret_arn or secret is None:
        raise Refused(400, f"size {size.label} is not a preset")
    if not signature:
        raise Refused(403, f"size {size.label} is not a preset and the request carries no signature")
    if not hmac.compare_digest(signature_of(secret(), size, source_key), signature.lower()):
        raise Refused(403, f"size {size.label} is not a preset and its signature does not match")
    pixels = size.width * (size.height or size.width)
    if pixels > settings.max_image_pixels:
        raise Refused(
            400, f"signed size {size.label} is {pixels} pixels, more than MAX_IMAGE_PIXELS={settings.max_image_pixels}"
        )


def serve(
    variant: Wanted,
    settings: Settings,
    s3: S3Client,
    tmp_dir: Path,
    catalogue: Catalogue | None = None,
    viewer_path: str = "",
) -> Answer:
    """Render ``variant`` from the source's current version, store it under its key, and answer with it."""
    change = Change(settings.source_bucket, variant.source_key, CREATE, "OnDemand")
    try:
        rendered = render_current(change, settings, s3, tmp_dir, sizes=(variant.size,), formats=(variant.format.name,))
    except ImageRejected as exc:
        return Answer(422, str(exc).encode(), _plain(f"public, max-age={settings.on_demand_max_age}"), str(exc))
    except TransientFailure as exc:
        return Answer(503, b"try again", {**_plain("no-store"), "Retry-After": "1"}, str(exc))
    except PermanentFailure as exc:
        return Answer(422, str(exc).encode(), _plain(f"public, max-age={MISSING_MAX_AGE}"), str(exc))
    if rendered is None:
        return Answer(404, b"no such picture", _plain(f"public, max-age={MISSING_MAX_AGE}"), "")
    (thumb,) = rendered.rendering.thumbnails
    (key,) = rendered.keys
    cache_control = settings.cache_control or f"public, max-age={settings.on_demand_max_age}"
    if storage.current_version(s3, change.bucket, change.key) != rendered.version:
        # The source changed (or went) while we worked: what we stored is already old. It goes, and this answer
        # is not cached; the next request renders the new picture.
        sources = storage.source_metadata(change.bucket, change.key, settings.source_metadata)
        storage.remove(s3, settings.destination_bucket, [key], sources)
        cache_control = "no-store"
    elif catalogue is not None:
        catalogue.record(rows(change, settings.destination_bucket, rendered), retire=False)
    headers = {
        "Content-Type": thumb.format.content_type,
        "Cache-Control": cache_control,
        "ETag": f'"{hashlib.md5(thumb.data, usedforsecurity=False).hexdigest()}"',
    }
    if settings.content_disposition != "none":
        headers["Content-Disposition"] = storage.content_disposition(
            settings.content_disposition, file_name(variant.source_key, thumb.format)
        )
    if _encoded_length(len(thumb.data)) > MAX_RESPONSE_BYTES - 16 * 1024:  # room for the headers
        # Stored already: the same request is an S3 hit now. The redirect itself must never be cached.
        return Answer(302, b"", {"Location": viewer_path or "/" + variant.key, "Cache-Control": "no-store"})
    return Answer(200, thumb.data, headers)


def _encoded_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


def _plain(cache_control: str) -> dict[str, str]:
    return {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": cache_control}


__all__ = ["MAX_KEY_BYTES", "Answer", "Refused", "Wanted", "serve", "signature_of", "wanted"]
