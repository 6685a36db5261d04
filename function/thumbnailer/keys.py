"""Where a thumbnail is stored: deterministic, documented, collision-free keys."""

from __future__ import annotations

from collections.abc import Iterable

from .picture.formats import NATIVE_OUTPUT, OUTPUTS, OutputFormat
from .picture.sizes import Size

# The extensions a picture's file name may end in, per format: what Content-Disposition's file name replaces.
PICTURE_EXTENSIONS = {
    "jpeg": (".jpg", ".jpeg", ".jpe"),
    "png": (".png",),
    "webp": (".webp",),
    "avif": (".avif",),
    "gif": (".gif",),
    "heif": (".heic", ".heif"),
}


def thumbnail_key(
    prefix: str, size: Size, source_key: str, source_format: str, fmt: OutputFormat, *, extension: bool = False
) -> str:
    """``{prefix}{size}/{source key}``, the size as written (``256``, ``200x200``); when the format changes, or
    ``extension`` says so (several OUTPUT_FORMATS), the format's extension is appended.

    Appending rather than replacing keeps ``cat.gif`` (-> ``cat.gif.png``) and ``cat.png`` apart. With several
    formats every key carries its extension (``cat.jpg.avif``, ``cat.jpg.webp``, ``cat.jpg.jpg``), so a page
    derives each format's key from the source key alone, whatever the source's format is.
    """
    key = f"{prefix}{size}/{source_key}"
    if NATIVE_OUTPUT.get(source_format) == fmt.name and not extension:
        return key
    return key + fmt.extension


def file_name(source_key: str, fmt: OutputFormat) -> str:
    """The name a browser saves a thumbnail under: the source's file name, its picture extension replaced by the
    thumbnail's (``photos/cat.png`` as WebP -> ``cat.webp``; ``cat.jpeg`` as JPEG stays ``cat.jpeg``)."""
    name = source_key.rsplit("/", 1)[-1] or "thumbnail"
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}"
    if dot and stem and suffix in PICTURE_EXTENSIONS.get(fmt.name, ()):
        return name
    if dot and stem and any(suffix in known for known in PICTURE_EXTENSIONS.values()):
        return stem + fmt.extension
    return name + fmt.extension


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
