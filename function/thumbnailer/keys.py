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


# S3's longest key, in UTF-8 bytes: a PutObject of a longer one is refused (KeyTooLongError).
MAX_KEY_BYTES = 1024


def longest_thumbnail_key(prefix: str, sizes: Iterable[Size], source_key: str, extensions: Iterable[str]) -> str:
    """The longest key a thumbnail of ``source_key`` can be written under: the longest size label, with the longest
    of ``extensions`` appended (the formats that can be written; ``""`` when a key may carry none)."""
    label = max((str(size) for size in sizes), key=lambda text: len(text.encode()), default="")
    extension = max(extensions, key=len, default="")
    return f"{prefix}{label}/{source_key}{extension}"


def key_too_long(key: str, source_key: str | None = None) -> str | None:
    """Why ``key`` cannot be stored (S3's limit), naming its length (and the source key's); None when it fits."""
    length = len(key.encode())
    if length <= MAX_KEY_BYTES:
        return None
    source = "" if source_key is None else f" (the source key is {len(source_key.encode())} bytes)"
    return (
        f"thumbnail key of {length} bytes is longer than S3's key limit of {MAX_KEY_BYTES} bytes{source}; "
        "not thumbnailed: shorten the key or the destination prefix"
    )
