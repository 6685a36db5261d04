"""Seeded, photo-like test pictures: smooth regions, hard edges and sensor noise, not flat colour.

Used by the benchmarks (inputs of any size) and by ``make demo``, which makes its sample pictures with
``samples()`` on each run (``python -m devkit.images DIR`` writes them anywhere).
"""

from __future__ import annotations

import importlib
import io
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

EXIF_ORIENTATION = 0x0112


def scene(width: int, height: int, seed: int = 1) -> Image.Image:
    """A landscape: a sky gradient, a sun, layered ridges, a few sharp-edged shapes, and grain."""
    rng = random.Random(seed)
    small = (max(64, width // 8), max(48, height // 8))
    sky = Image.linear_gradient("L").resize(small)
    top = (rng.randint(20, 90), rng.randint(60, 140), rng.randint(150, 230))
    bottom = (rng.randint(200, 255), rng.randint(140, 200), rng.randint(90, 160))
    base = Image.composite(Image.new("RGB", small, bottom), Image.new("RGB", small, top), sky)
    draw = ImageDraw.Draw(base)
    sx, sy, sr = rng.uniform(0.2, 0.8) * small[0], rng.uniform(0.15, 0.4) * small[1], small[1] * 0.08
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(255, 240, 200))
    for layer in range(4):
        shade = 40 + layer * 30
        colour = (shade // 2, shade + rng.randint(0, 40), shade // 2 + rng.randint(0, 30))
        y0 = small[1] * (0.45 + layer * 0.13)
        points: list[tuple[float, float]] = [(0, small[1])]
        for x in range(0, small[0] + 16, 16):
            points.append((x, y0 + rng.uniform(-0.08, 0.08) * small[1]))
        points.append((small[0], small[1]))
        draw.polygon(points, fill=colour)
    im = base.filter(ImageFilter.GaussianBlur(1.2)).resize((width, height), Image.Resampling.BICUBIC)
    edges = ImageDraw.Draw(im)
    for _ in range(6):
        ex, ey = rng.uniform(0, width), rng.uniform(height * 0.5, height)
        w, h = rng.uniform(0.02, 0.08) * width, rng.uniform(0.05, 0.2) * height
        edges.rectangle(
            (ex, ey - h, ex + w, ey), fill=(rng.randint(60, 200),) * 3, outline=(20, 20, 20), width=max(1, width // 800)
        )
    # Sensor grain per channel, as a camera records it: what makes a real photo's JPEG several MB.
    grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    return Image.blend(im, grain, 0.08)


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **options)
    return buf.getvalue()


# For each EXIF orientation, how a camera stores an upright picture: the inverse of what a viewer applies.
_STORED = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def rotated_jpeg(width: int, height: int, orientation: int = 6, seed: int = 1, quality: int = 90) -> bytes:
    """A JPEG as phones write them: a scene that is upright at ``width`` x ``height`` once the EXIF orientation is
    applied, stored turned the other way (so a viewer that ignores the orientation shows it on its side)."""
    stored, exif = _as_stored(width, height, orientation, seed)
    return encode(stored, "JPEG", quality=quality, exif=exif)


def _as_stored(width: int, height: int, orientation: int, seed: int) -> tuple[Image.Image, bytes]:
    """A scene upright at ``width`` x ``height`` as a camera stores it, and the EXIF block that says how."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    upright = scene(width, height, seed)
    return (upright.transpose(_STORED[orientation]) if orientation in _STORED else upright), exif.tobytes()


def heic(width: int, height: int, orientation: int = 6, seed: int = 1, quality: int = 80) -> bytes:
    """A HEIC as iPhones write them: upright at ``width`` x ``height`` once its orientation is applied, stored
    turned. Made with pillow-heif's encoder (a development dependency; the layer carries only pi-heif's decoder)."""
    import pillow_heif

    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    stored = (
        scene(width, height, seed).transpose(_STORED[orientation])
        if orientation in _STORED
        else scene(width, height, seed)
    )
    buf = io.BytesIO()
    # x265's fastest preset: a 3 MP picture in 0.5 s instead of 3.6 (7 s of CPU), still an HEVC HEIC any decoder
    # reads the same way; iphone_heic, the benchmarks' material, keeps the encoder's default.
    pillow_heif.from_pillow(stored).save(buf, quality=quality, exif=exif.tobytes(), enc_params={"preset": "ultrafast"})
    return buf.getvalue()


# An iPhone's 12 MP photo (4032x3024, stored landscape): its picture is a grid of 512x512 HEVC tiles, 48 of them,
# with a 320-pixel thumbnail item, a Display P3 profile and its orientation both in EXIF and as HEIF's own
# rotation (irot). x265 at quality 50 makes these seeded scenes about 2 MB at 12 MP, an iPhone's usual size (HEVC
# decoding time follows the bytes: at quality 80 the same picture is 9 MB and takes 2.5 times as long).
IPHONE_TILE = 512
IPHONE_THUMBNAIL = 320
IPHONE_QUALITY = 50


def iphone_heic(
    width: int, height: int, orientation: int = 6, seed: int = 1, *, grid: bool = True, quality: int = IPHONE_QUALITY
) -> bytes:
    """A HEIC laid out as an iPhone writes it: upright at ``width`` x ``height`` once its orientation is applied,
    stored turned; with ``grid`` (the default) a grid of 512x512 tiles and a 320-pixel thumbnail item, without it
    one image, as an encoder writes by default (same pixels, same quality). Both carry a Display P3 profile and the
    EXIF orientation, which the encoder also writes as the HEIF's rotation. pillow-heif's encoder (x265, a
    development dependency: the layer carries only pi-heif's decoder)."""
    import pillow_heif

    # Display P3 written from its definition, as the tests make it (imported by name: the tests are not type-checked)
    profiles = importlib.import_module("tests.function.profiles")

    stored, exif = _as_stored(width, height, orientation, seed)
    options: dict[str, object] = {"tile_size": IPHONE_TILE, "thumbnails": [IPHONE_THUMBNAIL]} if grid else {}
    buf = io.BytesIO()
    pillow_heif.from_pillow(stored).save(buf, quality=quality, exif=exif, icc_profile=profiles.display_p3(), **options)
    return buf.getvalue()


def animated_gif(width: int, height: int, frames: int = 3, duration: int = 400) -> bytes:
    """A looping slideshow of ``frames`` scenes, 64 colours each."""
    pictures = [scene(width, height, seed).quantize(64) for seed in range(5, 5 + frames)]
    buf = io.BytesIO()
    pictures[0].save(buf, format="GIF", save_all=True, append_images=pictures[1:], duration=duration, loop=0)
    return buf.getvalue()


def _badge() -> bytes:
    overlay = scene(800, 800, 4).convert("RGBA")
    mask = Image.new("L", overlay.size, 0)
    ImageDraw.Draw(mask).ellipse((40, 40, 760, 760), fill=255)
    overlay.putalpha(mask)
    return encode(overlay, "PNG", optimize=True)


# The demo's sample pictures: their names (what the demo's tests look for) and how each is made.
SAMPLES = {
    "mountains.jpg": lambda: encode(scene(3000, 2000, 1), "JPEG", quality=92),
    "phone-portrait.jpg": lambda: rotated_jpeg(1200, 1600, 6, seed=2),
    "lake.webp": lambda: encode(scene(1400, 900, 3), "WEBP", quality=80),
    "badge.png": _badge,
    "slideshow.gif": lambda: animated_gif(480, 320),
    "IMG_0042.HEIC": lambda: heic(1512, 2016, 6, seed=8),  # an iPhone portrait, stored sideways
}


def samples(directory: Path) -> list[Path]:
    """The demo's sample pictures, made on each run (seeded: the same every time); mountains.jpg is larger than
    1 MB, for the demo's multipart upload."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in SAMPLES.items():
        (directory / name).write_bytes(make())
        paths.append(directory / name)
    return paths


if __name__ == "__main__":
    for path in samples(Path(sys.argv[1] if len(sys.argv) > 1 else "build/demo/images")):
        print(path, path.stat().st_size)
