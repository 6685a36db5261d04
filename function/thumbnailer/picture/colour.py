"""Colour management: the picture in the colour space its thumbnails are written in, and the profile they carry.

The rules (``colour = "keep"`` by default, or ``"srgb"``):

- **CMYK** (and YCCK: libjpeg turns it into CMYK while decoding; an Adobe JPEG's inverted CMYK is turned back by
  Pillow's decoder) is always converted to sRGB through its embedded ICC profile, or, without a usable one,
  through the fallback CMYK profile below. Thumbnails are never CMYK, and no profile is written (sRGB is what an
  untagged picture means).
- **keep**: an RGB picture with a profile keeps its pixels and its profile, which the thumbnails carry
  (a Display P3 photo stays P3 where browsers show P3). Nothing is converted, and LittleCMS is not even loaded:
  the profile is only checked to be an ICC profile of the picture's colour space (its header and tag table). A
  grey picture with a grey profile is converted as under srgb: its thumbnails may be colour pixels (WebP, AVIF,
  anything with alpha), on which a grey profile would be ignored.
- **srgb**: every picture with a profile (Display P3 from phones, Adobe RGB from cameras, grey, CMYK) is
  converted to sRGB and no profile is written: smaller files, the right colours where nothing manages colour.
  A grey picture stays grey (mode L, its alpha kept): it goes through a grey profile with sRGB's tone curve,
  which gives exactly the value sRGB would give each of R, G and B, at a third of the bytes. Modes LittleCMS
  cannot take (palette, 1-bit, 16-bit and 32-bit grey) are brought to 8-bit L, LA, RGB or RGBA first, their
  transparency (``tRNS``) made an alpha channel.
- A picture without a profile is returned as it is (the same object): it is sRGB, as browsers take it.
- Alpha is split off before a conversion and put back after it, so transparency never goes through LittleCMS.
- A profile that cannot be used (not an ICC profile, cut short, of another colour space than the picture, or,
  when it is to be converted from, refused by LittleCMS) never refuses the picture: a CMYK picture goes through
  the fallback profile, an RGB or grey one is taken as sRGB (no profile written), and ``Managed.note`` says so
  for the log line. ``converted`` is then True too: the source's bytes, which carry that profile, are not used.

Rendering intent: the one the profile's header names as its default, the intent its author built it for (a
photographic or press profile says perceptual: its A2B0 table, the one every LUT profile has). It is decided by
the picture's own profile, not by a setting here, so a profile made for relative colorimetric rendering is
rendered that way; LittleCMS falls back to A2B0 when the profile has no table for the intent named, and a
matrix/TRC profile (P3, Adobe RGB) gives the same result under every intent but absolute. No black point
compensation, as browsers. The tests' reference conversions use the same intent.

Cost: a transform is built once per profile and mode and kept (16 of them): an RGB one takes milliseconds, a CMYK
one about 0.1 s (LittleCMS precomputes a 17-point 4-D table), the fallback profile some 40 ms more, once.

The fallback CMYK profile: LittleCMS has none built in, and Debian has no CMYK profile that may be redistributed
in an MIT project (colord-data and icc-profiles-free carry none; ghostscript's ``default_cmyk.icc`` is AGPL and
183 KB), so it is built here, in memory, on first use (42 KB, some 40 ms once): an ICC v2 input profile
with a lut16 A2B0 that models offset printing on coated paper after ISO 12647-2 paper type 1, the condition of
FOGRA39 (Europe's default): the solid and overprint colours the standard gives (a Demichel/Neugebauer mix in XYZ
of paper, the three inks and their overprints), its tone value increase (14% for C, M, Y and 17% for K at 50%,
in the input curves), and black printed over the mix as a density, with the paper's surface reflection as a
floor. It is an approximation of FOGRA39, not the characterisation itself, meant to be close to what Photoshop's
European default ("Coated FOGRA39") shows for a CMYK file without a profile. It is never written into a thumbnail.
"""

from __future__ import annotations

import io
import math
import struct
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    from PIL.ImageCms import ImageCmsProfile, ImageCmsTransform

__all__ = ["POLICIES", "Managed", "fallback_cmyk_profile", "managed", "rendering_intent", "srgb_grey_profile"]

POLICIES = ("keep", "srgb")

# Transforms built, by (the profile's SHA-256 or "fallback", mode): building one costs milliseconds.
_TRANSFORMS: OrderedDict[tuple[bytes, str], ImageCmsTransform] = OrderedDict()
_TRANSFORMS_KEPT = 16
_GREY_MODES = ("1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F")


@dataclass(frozen=True)
class Managed:
    image: Image.Image  # the picture in the colour space of `icc` (imaging's _normalise brings it to L, RGB or RGBA)
    icc: bytes | None  # the ICC profile to embed in the thumbnails; None: the pixels are sRGB (or untagged)
    converted: bool  # the thumbnails cannot be the source's own bytes: its pixels were converted or its profile left
    note: str = ""  # for the log: a profile that could not be used and what was done instead; "" otherwise


class _Unusable(Exception):
    """A profile that cannot be used; the message says why, for the note."""


def managed(im: Image.Image, policy: str) -> Managed:
    """`im` is loaded (decoded) already, in any mode Pillow decodes JPEG/PNG/WebP/GIF/HEIF/AVIF to (CMYK, RGB,
    RGBA, L, LA, P, PA, I;16, ...), its profile in im.info.get("icc_profile")."""
    if policy not in POLICIES:
        raise ValueError(f"colour must be one of {', '.join(POLICIES)}; got {policy!r}")
    icc = im.info.get("icc_profile") or None
    if im.mode == "CMYK":
        return _cmyk(im, icc)
    if icc is None:
        return Managed(im, None, False)
    space = "GRAY" if im.mode in _GREY_MODES else "RGB"
    try:
        _check(icc, space)
    except _Unusable as unusable:
        return Managed(im, None, True, f"colour profile not used: {unusable}; the pixels are taken as sRGB")
    if policy == "keep" and space == "RGB":
        return Managed(im, icc, False)
    # A grey profile is converted under keep too: WebP and AVIF are never grey, and a picture with alpha is written
    # as RGBA, so its thumbnails would carry a grey profile on colour pixels, which viewers ignore.
    picture, alpha = _eight_bit(im, space)
    try:
        transform = _transform(icc, picture.mode)
    except _Unusable as unusable:
        return Managed(im, None, True, f"colour profile not used: {unusable}; the pixels are taken as sRGB")
    return Managed(_apply(transform, picture, alpha), None, True)


def prepare(policy: str) -> None:
    """Load LittleCMS and the sRGB profiles before pictures are decoded in forked children (containment.py), when
    ``policy`` converts every tagged picture: each child then inherits them instead of loading them again."""
    if policy == "srgb":
        _srgb()
        _srgb_grey()


def rendering_intent(profile: ImageCmsProfile) -> int:
    """The intent a conversion from ``profile`` uses: the default its header names (0 to 3; perceptual else)."""
    intent = profile.profile.rendering_intent
    return intent if intent in (0, 1, 2, 3) else 0


def _cmyk(im: Image.Image, icc: bytes | None) -> Managed:
    note = ""
    transform = None
    if icc is not None:
        try:
            _check(icc, "CMYK")
            transform = _transform(icc, "CMYK")
        except _Unusable as unusable:
            note = f"colour profile not used: {unusable}; converted to sRGB through the fallback CMYK profile"
    if transform is None:
        transform = _transform(None, "CMYK")
    return Managed(_apply(transform, im, None), None, True, note)


def _apply(transform: ImageCmsTransform, picture: Image.Image, alpha: Image.Image | None) -> Image.Image:
    out = transform.apply(picture)
    out.info.pop("icc_profile", None)  # ImageCms tags its output with the output profile; sRGB needs none
    if alpha is not None:
        out.putalpha(alpha)
    return out


def _check(icc: bytes, space: str) -> None:
    """Raise _Unusable unless ``icc`` is an ICC profile of ``space`` whose tag table fits in it (no LittleCMS)."""
    if len(icc) < 132 or icc[36:40] != b"acsp":
        raise _Unusable("it is not an ICC profile")
    size, count = struct.unpack_from(">I", icc, 0)[0], struct.unpack_from(">I", icc, 128)[0]
    if size > len(icc) or count > 1000 or 132 + 12 * count > size:
        raise _Unusable("it is cut short")
    for index in range(count):
        offset, length = struct.unpack_from(">II", icc, 132 + 12 * index + 4)
        if offset + length > size:
            raise _Unusable("it is cut short")
    found = icc[16:20].decode("latin-1").strip()
    if found != space:
        raise _Unusable(f"it is a {found or 'blank'} profile on a {space} picture")


def _eight_bit(im: Image.Image, space: str) -> tuple[Image.Image, Image.Image | None]:
    """The picture as 8-bit L (grey) or RGB that LittleCMS takes, and its alpha apart (None: opaque)."""
    mode = im.mode
    transparency = im.info.get("transparency")
    if space == "GRAY":
        if mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
            from PIL import ImageMath

            wide = im.convert("I")  # 0..65535 scaled to 0..255, as imaging does (a plain convert would clip)
            grey = wide.point(lambda v: v * (1 / 257)).convert("L")
            if isinstance(transparency, int):  # a tRNS grey level: that exact 16-bit value is transparent
                mask = ImageMath.lambda_eval(lambda a: (a["im"] != transparency) * 255, im=wide)
                return grey, mask.convert("L")
            return grey, None
        if mode in ("LA", "La"):
            la = im.convert("LA") if mode == "La" else im
            return la.getchannel("L"), la.getchannel("A")
        grey = im if mode == "L" else im.convert("L")
        if isinstance(transparency, int) and mode in ("1", "L"):
            level = 255 if mode == "1" and transparency else transparency
            return grey, grey.point(lambda v: 0 if v == level else 255)
        return grey, None
    if mode in ("RGBA", "PA", "RGBa") or transparency is not None:
        rgba = im if mode == "RGBA" else im.convert("RGBA")
        return rgba.convert("RGB"), rgba.getchannel("A")
    return (im if mode == "RGB" else im.convert("RGB")), None


def _transform(icc: bytes | None, mode: str) -> ImageCmsTransform:
    """The transform from ``icc`` (None: the fallback CMYK profile) to sRGB for pictures of ``mode`` (L, RGB or
    CMYK), built once per profile and mode. Raises _Unusable when LittleCMS cannot use the profile."""
    import hashlib  # here: its OpenSSL costs the cold start some 10 ms

    key = (hashlib.sha256(icc).digest() if icc is not None else b"fallback", mode)
    transform = _TRANSFORMS.get(key)
    if transform is not None:
        _TRANSFORMS.move_to_end(key)
        return transform
    from PIL import ImageCms  # only when a picture needs converting: the default cold start does not load it

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc)) if icc is not None else _fallback()
        target = _srgb_grey() if mode == "L" else _srgb()
        output = "L" if mode == "L" else "RGB"
        transform = ImageCms.buildTransform(source, target, mode, output, ImageCms.Intent(rendering_intent(source)))
    except (OSError, ImageCms.PyCMSError, ValueError) as exc:
        raise _Unusable(f"LittleCMS cannot use it ({exc})") from None
    _TRANSFORMS[key] = transform
    if len(_TRANSFORMS) > _TRANSFORMS_KEPT:
        _TRANSFORMS.popitem(last=False)
    return transform


@lru_cache(maxsize=1)
def _srgb() -> ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=1)
def _srgb_grey() -> ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(io.BytesIO(srgb_grey_profile()))


@lru_cache(maxsize=1)
def _fallback() -> ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(io.BytesIO(fallback_cmyk_profile()))


# ICC profiles written here (ICC.1:2001-04, version 2.4): the fallback CMYK profile and sRGB's grey.

_D50 = (0.9642, 1.0, 0.8249)
# ISO 12647-2 paper type 1 (coated; FOGRA39), CIELAB D50: paper, the inks and their overprints, by (c, m, y).
_PAPER = (95.0, 0.0, -2.0)
_NEUGEBAUER = {
    (0, 0, 0): _PAPER,
    (1, 0, 0): (55.0, -37.0, -50.0),
    (0, 1, 0): (48.0, 74.0, -3.0),
    (0, 0, 1): (89.0, -5.0, 93.0),
    (0, 1, 1): (47.0, 68.0, 48.0),
    (1, 0, 1): (50.0, -65.0, 27.0),
    (1, 1, 0): (24.0, 22.0, -46.0),
    (1, 1, 1): (23.0, 0.0, 0.0),
}
_BLACK = (16.0, 0.0, 0.0)
_TVI = (0.14, 0.14, 0.14, 0.17)  # at 50%, C M Y K
_SURFACE = 0.009  # the paper's surface reflection, a fraction of its own: the darkest print (400%) is about L 8.5
_GRID = 9


@lru_cache(maxsize=1)
def fallback_cmyk_profile() -> bytes:
    """The CMYK profile for a CMYK picture without a usable one (the module's docstring says what it models)."""
    paper = _xyz(_PAPER)
    # Reflectances relative to the paper's (the paper is the white of the relative PCS): X/Xn etc. of CIELAB.
    primaries = [
        (corner, [v / p for v, p in zip(_xyz(lab), paper, strict=True)]) for corner, lab in _NEUGEBAUER.items()
    ]
    black = [(v / p - _SURFACE) / (1 - _SURFACE) for v, p in zip(_xyz(_BLACK), paper, strict=True)]
    steps = [i / (_GRID - 1) for i in range(_GRID)]
    edge, slope = (6 / 29) ** 3, 1 / (3 * (6 / 29) ** 2)
    clut: list[int] = []
    for c in steps:
        for m in steps:
            for y in steps:
                mix = [0.0, 0.0, 0.0]  # Demichel: each overprint weighted by the share of the area it covers
                for (ci, mi, yi), xyz in primaries:
                    weight = (c if ci else 1 - c) * (m if mi else 1 - m) * (y if yi else 1 - y)
                    mix = [w + weight * v for w, v in zip(mix, xyz, strict=True)]
                for k in steps:
                    # black over the mix, as a density; the surface reflection is not darkened by ink
                    fx, fy, fz = (
                        math.cbrt(r) if r > edge else r * slope + 4 / 29
                        for r in (_SURFACE + (v - _SURFACE) * (1 - k + k * t) for v, t in zip(mix, black, strict=True))
                    )
                    clut += [_clip((116 * fy - 16) * 0xFF00 / 100), _clip((500 * (fx - fy) + 128) * 256)]
                    clut.append(_clip((200 * (fy - fz) + 128) * 256))
    # Input curves: the tone value increase, a parabola through 0 and 1 (a value of 50% prints as 50% + TVI).
    curves = [[_clip(65535 * (x + 4 * tvi * x * (1 - x))) for x in (i / 255 for i in range(256))] for tvi in _TVI]
    a2b0 = _lut16(curves, _GRID, clut, 3)
    return _profile(
        b"scnr",
        b"CMYK",
        b"Lab ",
        [
            (b"desc", _desc("Fallback CMYK (ISO 12647-2 paper type 1, FOGRA39 approximation)")),
            (b"cprt", _text("No copyright: made by terraform-aws-s3-thumbnails (MIT)")),
            (b"wtpt", _xyz_type(paper)),
            (b"A2B0", a2b0),
        ],
    )


@lru_cache(maxsize=1)
def srgb_grey_profile() -> bytes:
    """A grey profile with sRGB's tone curve: a grey picture's sRGB, one channel instead of three."""
    curve = [_clip(65535 * _srgb_decode(i / 1023)) for i in range(1024)]
    return _profile(
        b"mntr",
        b"GRAY",
        b"XYZ ",
        [
            (b"desc", _desc("sRGB grey (sRGB's tone curve, D50)")),
            (b"cprt", _text("No copyright: made by terraform-aws-s3-thumbnails (MIT)")),
            (b"wtpt", _xyz_type(_D50)),
            (b"kTRC", b"curv" + bytes(4) + struct.pack(f">I{len(curve)}H", len(curve), *curve)),
        ],
    )


def _srgb_decode(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _xyz(lab: Sequence[float]) -> list[float]:
    """CIELAB to XYZ, D50."""
    fy = (lab[0] + 16) / 116
    fx, fz = fy + lab[1] / 500, fy - lab[2] / 200

    def inverse(f: float) -> float:
        return f**3 if f > 6 / 29 else 3 * (6 / 29) ** 2 * (f - 4 / 29)

    return [d * inverse(f) for d, f in zip(_D50, (fx, fy, fz), strict=True)]


def _clip(value: float) -> int:
    return min(65535, max(0, round(value)))


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_type(xyz: Sequence[float]) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(_s15(v) for v in xyz)


def _desc(text: str) -> bytes:
    """textDescriptionType: ASCII, no Unicode or ScriptCode description."""
    ascii_ = text.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_)) + ascii_ + bytes(4 + 4 + 2 + 1 + 67)


def _text(text: str) -> bytes:
    return b"text" + bytes(4) + text.encode("ascii") + b"\0"


def _lut16(curves: list[list[int]], grid: int, clut: list[int], outputs: int) -> bytes:
    """lut16Type: input curves, a CLUT of ``grid`` points a side (first input slowest), identity output curves."""
    identity = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    head = b"mft2" + bytes(4) + bytes([len(curves), outputs, grid, 0]) + b"".join(_s15(v) for v in identity)
    entries = len(curves[0])
    body = [v for curve in curves for v in curve] + clut + [0, 65535] * outputs
    return head + struct.pack(f">HH{len(body)}H", entries, 2, *body)


def _profile(device: bytes, space: bytes, pcs: bytes, tags: list[tuple[bytes, bytes]], intent: int = 0) -> bytes:
    """An ICC v2.4 profile of ``tags`` (each tag's data aligned on 4 bytes)."""
    start = 128 + 4 + 12 * len(tags)
    table = struct.pack(">I", len(tags))
    data = b""
    for signature, body in tags:
        table += struct.pack(">4sII", signature, start + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    size = start + len(data)
    header = struct.pack(
        ">I4sI4s4s4s6H4s4sI4sIQI12s4s16s28s",
        size,
        b"\0\0\0\0",
        0x02400000,
        device,
        space,
        pcs,
        2026,
        1,
        1,
        0,
        0,
        0,
        b"acsp",
        b"\0\0\0\0",
        0,
        b"\0\0\0\0",
        0,
        0,
        intent,
        b"".join(_s15(v) for v in _D50),
        b"\0\0\0\0",
        bytes(16),
        bytes(28),
    )
    return header + table + data
