"""Where a thumbnail is stored: deterministic, documented, collision-free keys."""

from __future__ import annotations

from collections.abc import Iterable

from .picture.formats import NATIVE_OUTPUT, OUTPUTS, OutputFormat
from .picture.sizes import Size


def thumbnail_key(prefix: str, size: Size, source_key: str, source_format: str, fmt: OutputFormat) -> str:
    """``{prefix}{size}/{source key}``, the size as written (``256``, ``200x200``); when the format changes, the
    new extension is appended.

    Appending rather than replacing keeps ``cat.gif`` (-> ``cat.gif.png``) and ``cat.png`` apart.
    """
    key = f"{prefix}{size}/{source_key}"
    if NATIVE_OUTPUT.get(source_format) == fmt.name:
        return key
    return key + fmt.extension


def is_under_prefix(bucket: str, key: str, destination_bucket: str, prefix: str) -> bool:
    """True for an object this function may have written itself: processing it again would loop."""
    return bucket == destination_bucket and key.startswith(prefix)


def thumbnail_keys_of(prefix: str, sizes: Iterable[Size], source_key: str) -> list[str]:
    """Every key a thumbnail of ``source_key`` can have been written under: each size, as itself or with any
    output extension appended (the format may have changed since, through OUTPUT_FORMAT)."""
    keys = []
    for size in sizes:
        base = f"{prefix}{size}/{source_key}"
        keys += [base, *(base + fmt.extension for fmt in OUTPUTS.values())]
    return keys
