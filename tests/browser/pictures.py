"""The sources the browsers are shown thumbnails of, and what each should look like: LittleCMS's sRGB view of the
source (Pillow's ImageCms, from the source's own profile; a CMYK picture without one through the module's fallback
profile), upright, resized as the core resizes, transparency over the page's white.

Every source is 512x384, so a 256 thumbnail is an exact halving (the core's box reduce, or a JPEG's DCT scaling at
1/2) and the reference is resized the same way (a box filter), not approximated by another filter.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageCms, ImageOps

from thumbnailer.picture import colour

from ..function import profiles

SIZE = (512, 384)
SRGB = ImageCms.createProfile("sRGB")
WHITE = (255, 255, 255)
BLOCK = 4  # compared in blocks of 4x4 pixels: what a lossy format moves within a block is not colour


@dataclass(frozen=True)
class Source:
    name: str
    data: bytes
    what: str  # for the failure message and the documentation


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **options)
    return buf.getvalue()


def _alpha(size: tuple[int, int]) -> Image.Image:
    """Opaque on the left, clear on the right, with a fully clear hole: every level of alpha."""
    ramp = Image.linear_gradient("L").rotate(90).resize(size)
    mask = ramp.point(lambda v: 255 - v)
    mask.paste(0, (size[0] // 8, size[1] // 8, size[0] // 4, size[1] // 4))
    return mask


def mid_tones() -> Image.Image:
    """The tests' colourful picture with every channel between 40 and 216: where colour management and range
    matter most (at 0 and 255 a wrong profile or range is often clipped back to the right value)."""
    return profiles.colourful("RGB", SIZE).point(lambda v: 40 + v * 176 // 255)


def frames(count: int = 3) -> list[Image.Image]:
    """Frames that differ in colour and layout (so no encoder merges them), in mid-tones: the picture with its
    channels turned, and upside down every other frame."""
    base = mid_tones()
    out = []
    for index in range(count):
        bands = base.split()
        turned = Image.merge("RGB", bands[index % 3 :] + bands[: index % 3])
        out.append(turned.rotate(180) if index % 2 else turned)
    return out


# The first frame lasts a minute, so an <img> of the animation is on its first frame when the screenshot is taken.
DURATIONS = [60_000, 500, 500]


def sources() -> list[Source]:
    rgb = mid_tones()
    press = profiles.uncoated_cmyk()
    cmyk = profiles.colourful("CMYK", SIZE)
    grey = rgb.convert("L")
    rgba = rgb.copy()
    rgba.putalpha(_alpha(SIZE))
    stored_sideways = rgb.transpose(Image.Transpose.ROTATE_90)  # orientation 6: a viewer turns it 270 degrees back
    exif = Image.Exif()
    exif[0x0112] = 6
    moving = frames()
    animation = encode(moving[0], "WEBP", save_all=True, append_images=moving[1:], duration=DURATIONS, lossless=True)
    return [
        Source("srgb", encode(rgb, "JPEG", quality=95), "an sRGB JPEG without a profile"),
        Source("cmyk", encode(cmyk, "JPEG", quality=95, icc_profile=press), "a CMYK JPEG with its profile"),
        Source("cmyk-no-profile", encode(cmyk, "JPEG", quality=95), "a CMYK JPEG without a profile"),
        Source("adobe-rgb", encode(rgb, "JPEG", quality=95, icc_profile=profiles.adobe_rgb()), "an Adobe RGB JPEG"),
        Source("display-p3", encode(rgb, "PNG", icc_profile=profiles.display_p3()), "a Display P3 PNG"),
        Source("grey", encode(grey, "JPEG", quality=95, icc_profile=profiles.grey_gamma()), "a grey JPEG, gamma 1.8"),
        Source("alpha", encode(rgba, "PNG"), "a PNG with every level of alpha"),
        Source("rotated", encode(stored_sideways, "JPEG", quality=95, exif=exif), "a JPEG stored on its side (EXIF 6)"),
        Source("animated", animation, "an animated WebP of three frames"),
    ]


def srgb_view(im: Image.Image, alpha_read: Callable[[int], int] | None = None) -> Image.Image:
    """LittleCMS's sRGB view of one decoded picture (or frame), upright, over white: RGB. ``alpha_read``: how a
    viewer that misreads alpha reads it (chromium_avif_alpha)."""
    im = ImageOps.exif_transpose(im) or im
    icc = im.info.get("icc_profile") or None
    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA", "PA") else None
    if im.mode == "CMYK":
        icc = icc or colour.fallback_cmyk_profile()
        picture = im
    else:
        picture = im.convert("L" if im.mode in ("L", "LA") else "RGB")
    if icc is not None:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        intent = ImageCms.Intent(ImageCms.getDefaultIntent(profile))
        converted = ImageCms.profileToProfile(picture, profile, SRGB, renderingIntent=intent, outputMode="RGB")
        assert converted is not None
        picture = converted
    picture = picture.convert("RGB")
    if alpha is not None:
        if alpha_read is not None:
            alpha = alpha.point(alpha_read)
        flat = Image.new("RGB", picture.size, WHITE)
        flat.paste(picture, mask=alpha)
        picture = flat
    return picture


def chromium_avif_alpha(level: int) -> int:
    """How Chromium reads an AVIF's alpha: as if it were limited range (16 to 235), though libavif writes it full
    range and says so, as the AVIF specification requires (test_thumbnails.py, docs/browsers.md)."""
    return min(255, max(0, round((level - 16) * 255 / 219)))


def references(
    source: Source, size: tuple[int, int], alpha_read: Callable[[int], int] | None = None
) -> list[Image.Image]:
    """The source's sRGB view at ``size``, one per frame."""
    out = []
    with Image.open(io.BytesIO(source.data)) as im:
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            frame = im.copy()
            frame.info = dict(im.info)
            out.append(srgb_view(frame, alpha_read).resize(size, Image.Resampling.BOX))
    return out


def difference(shown: Image.Image, expected: Image.Image) -> float:
    """Mean absolute difference of 4x4-pixel blocks' mean colours, of 255."""
    assert shown.size == expected.size, (shown.size, expected.size)
    blocks = (max(1, shown.width // BLOCK), max(1, shown.height // BLOCK))
    a = np.asarray(shown.convert("RGB").resize(blocks, Image.Resampling.BOX), float)
    b = np.asarray(expected.convert("RGB").resize(blocks, Image.Resampling.BOX), float)
    return float(np.abs(a - b).mean())
