"""What a picture costs in memory to decode and thumbnail, so one that would not fit is refused before it is decoded.

A Lambda function that runs out of memory is killed, and an asynchronous invocation is retried twice: one upload
would cost three runs and still fail. So a picture is refused, cleanly and at once, when its estimated peak does
not fit the function's memory (``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``, which Lambda sets) after the runtime's own.

The costs are peak resident bytes a pixel over the runtime's baseline, measured with this core on Pillow 13
(VmHWM, 16-megapixel noise pictures, thumbnails of 1024 and 256 and of the picture's own size, the worst kept):
libwebp decodes through a full RGBA canvas whatever the picture's mode, a 16-bit or alpha PNG is widened to RGBA
and premultiplied for resizing, and a JPEG is decoded at the smallest DCT scale that covers the largest size (it is
dearest when a size is as large as the picture). ``docs/security.md`` has the table; the module's plan-time check
of ``max_image_pixels`` against ``memory_size`` uses the JPEG figure and the same baseline (its test pins both).
"""

from __future__ import annotations

RUNTIME_MB = 128  # the Python runtime, boto3, Pillow and this package, with room to spare
MARGIN = 1.2
_BY_FORMAT = {"JPEG": 7.5, "MPO": 7.5, "HEIF": 9.4, "AVIF": 11.9, "WEBP": 20.8}
# PNG and GIF: by the mode they decode to.
_BY_MODE = {"1": 1.4, "L": 1.4, "P": 4.8, "RGB": 4.8, "RGBA": 8.8, "I;16": 11.3, "LA": 12.8, "PA": 12.8}
_WORST_MODE = max(_BY_MODE.values())


def bytes_per_pixel(image_format: str, mode: str, transparent: bool = False) -> float:
    """The measured peak a pixel (before the margin) for a picture of this format and decoded mode."""
    if image_format in _BY_FORMAT:
        return _BY_FORMAT[image_format]
    if mode in ("1", "L", "P", "RGB") and transparent:
        mode = "RGBA"  # transparency widens it to RGBA
    return _BY_MODE.get(mode, _WORST_MODE)


def needed_mb(image_format: str, mode: str, pixels: int, transparent: bool = False) -> float:
    """The memory a picture needs, runtime included, in MB."""
    return RUNTIME_MB + pixels * bytes_per_pixel(image_format, mode, transparent) * MARGIN / 2**20


def largest_jpeg(memory_mb: int) -> int:
    """The most pixels a JPEG may have and still be thumbnailed in ``memory_mb`` (the module's plan-time check)."""
    return int((memory_mb - RUNTIME_MB) * 2**20 / (_BY_FORMAT["JPEG"] * MARGIN))
