"""Which pictures are read and how thumbnails are written: the input formats, the optional ones (HEIF, AVIF),
and the output formats with what ``auto`` picks for each input."""

from __future__ import annotations

import functools
from dataclasses import dataclass

# Only these decoders are ever tried: EPS, PDF, PSD, TIFF and the rest are never parsed.
INPUT_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Optional inputs, on when the layer carries their decoder (the module's extra_formats) and EXTRA_FORMATS names
# them: HEIF through pi-heif (libheif, libde265), AVIF through Pillow's own plugin (libavif).
OPTIONAL_FORMATS = {"heif": "HEIF", "avif": "AVIF"}


@dataclass(frozen=True)
class OutputFormat:
    name: str  # as in OUTPUT_FORMAT
    pillow: str
    content_type: str
    extension: str
    alpha: bool
    animation: bool


OUTPUTS = {
    "jpeg": OutputFormat("jpeg", "JPEG", "image/jpeg", ".jpg", alpha=False, animation=False),
    "png": OutputFormat("png", "PNG", "image/png", ".png", alpha=True, animation=True),
    "webp": OutputFormat("webp", "WEBP", "image/webp", ".webp", alpha=True, animation=True),
    "avif": OutputFormat("avif", "AVIF", "image/avif", ".avif", alpha=True, animation=True),
}
# The input formats that can be written as themselves; OUTPUT_FORMAT=auto keeps them, makes a still GIF a PNG,
# HEIF and AVIF (which not every browser shows) JPEG, and any animation an animated WebP.
NATIVE_OUTPUT = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
AUTO_OUTPUT = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "png", "HEIF": "jpeg", "AVIF": "jpeg"}
# A PDF's first page and a video's poster frame (previews.py) become WebP: sharp text and photographs alike.
AUTO_OUTPUT |= {"PDF": "webp", "MP4": "webp", "MOV": "webp", "WEBM": "webp"}
AUTO_ANIMATED = "webp"


def output_format(source_format: str, requested: str, *, animated: bool = False) -> OutputFormat:
    if requested != "auto":
        return OUTPUTS[requested]
    return OUTPUTS[AUTO_ANIMATED if animated else AUTO_OUTPUT[source_format]]


def input_formats(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The Pillow format names to try: the four always read, and the optional ones named in ``extra``."""
    for name in extra:
        if name == "heif":
            _register_heif()
    # "pdf" and "video" are previews (previews.py), not Pillow decoders.
    return INPUT_FORMATS + tuple(OPTIONAL_FORMATS[name] for name in extra if name in OPTIONAL_FORMATS)


def decode_threads(extra: tuple[str, ...], threads: int) -> None:
    """The threads libheif decodes a HEIF's grid tiles on (an iPhone's 12 MP photo is 48 tiles of 512x512, each
    decoded on its own): as many as the function has CPUs (cpus.py). Set before a picture is opened: pi-heif hands
    it to libheif's context when it parses the file."""
    if "heif" in extra:
        import pi_heif.options

        pi_heif.options.DECODE_THREADS = max(1, threads)


@functools.cache
def _register_heif() -> None:
    """pi-heif is imported only when HEIF is on, so a function without it starts as fast as before. Depth maps and
    auxiliary pictures (a portrait's depth, an iPhone's HDR gain map) are not even listed: no size needs them."""
    from pi_heif import register_heif_opener

    register_heif_opener(depth_images=False, aux_images=False)
