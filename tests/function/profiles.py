"""Colour material made by the tests: ICC profiles written from their published definitions, strongly coloured
pictures, and Adobe JPEGs (inverted CMYK, YCCK) assembled scan by scan.

Written here rather than taken from thumbnailer.picture.colour, so a mistake there cannot hide in the material:
- Display P3 and Adobe RGB (1998): ICC v2 matrix/TRC profiles from their primaries, D65 white and tone curve
  (sRGB's for P3, gamma 563/256 for Adobe RGB), the colorants adapted to D50 with Bradford, as ICC asks;
- a CMYK "press" profile: a lut16 A2B0 of a simple subtractive model of uncoated paper (a yellowish paper, inks
  that absorb a little outside their own band), far enough from Pillow's naive conversion to show which is used.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image

D50 = np.array([0.9642, 1.0, 0.8249])
D65 = np.array([0.95047, 1.0, 1.08883])
BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def _s15(values) -> bytes:
    return b"".join(struct.pack(">i", round(float(v) * 65536)) for v in values)


def _desc(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(raw)) + raw + bytes(78)


def icc(device: bytes, space: bytes, pcs: bytes, tags: dict[bytes, bytes], intent: int = 0) -> bytes:
    """An ICC v2.1 profile of ``tags``."""
    tags = {b"desc": tags.pop(b"desc", _desc("test profile")), b"cprt": b"text" + bytes(4) + b"none\0", **tags}
    start = 132 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags.items():
        table += struct.pack(">4sII", signature, start + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    header = (
        struct.pack(">I4sI4s4s4s", start + len(data), b"test", 0x02100000, device, space, pcs)
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", intent)
        + _s15(D50)
        + bytes(48)
    )
    assert len(header) == 128
    return header + table + data


def _adapt_to_d50(white: np.ndarray) -> np.ndarray:
    cone = BRADFORD @ white, BRADFORD @ D50
    return np.linalg.inv(BRADFORD) @ np.diag(cone[1] / cone[0]) @ BRADFORD


def matrix_trc(name: str, primaries, white_xy, trc: bytes) -> bytes:
    """An RGB display profile from its primaries' and white's xy chromaticities and one tone curve tag body."""
    xyz = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]).T
    wx, wy = white_xy
    white = np.array([wx / wy, 1.0, (1 - wx - wy) / wy])
    columns = _adapt_to_d50(white) @ (xyz * np.linalg.solve(xyz, white))  # each primary scaled to sum to white
    tags = {b"desc": _desc(name), b"wtpt": b"XYZ " + bytes(4) + _s15(white)}
    for signature, column in zip((b"rXYZ", b"gXYZ", b"bXYZ"), columns.T, strict=True):
        tags[signature] = b"XYZ " + bytes(4) + _s15(column)
    for signature in (b"rTRC", b"gTRC", b"bTRC"):
        tags[signature] = trc
    return icc(b"mntr", b"RGB ", b"XYZ ", tags)


def _curve(values) -> bytes:
    return b"curv" + bytes(4) + struct.pack(f">I{len(values)}H", len(values), *values)


def srgb_curve() -> bytes:
    v = np.linspace(0, 1, 1024)
    linear = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    return _curve([round(x) for x in linear * 65535])


def display_p3() -> bytes:
    return matrix_trc("Display P3", [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)], (0.3127, 0.3290), srgb_curve())


def adobe_rgb() -> bytes:
    gamma = b"curv" + bytes(4) + struct.pack(">IH", 1, 563)  # u8Fixed8: 563/256 = 2.19921875
    return matrix_trc("Adobe RGB (1998)", [(0.64, 0.33), (0.21, 0.71), (0.15, 0.06)], (0.3127, 0.3290), gamma)


def grey_gamma(gamma_fixed: int = 461) -> bytes:
    """A grey profile with a gamma tone curve (461/256 = 1.8: Apple's "Generic Gray")."""
    return icc(
        b"mntr",
        b"GRAY",
        b"XYZ ",
        {b"wtpt": b"XYZ " + bytes(4) + _s15(D50), b"kTRC": b"curv" + bytes(4) + struct.pack(">IH", 1, gamma_fixed)},
    )


def _press_table(paper: tuple[float, float, float], grid: int) -> bytes:
    """A lut16 CMYK -> CIELAB D50 (ICC v2 16-bit Lab) of a simple subtractive model on ``paper`` (linear RGB)."""
    g = np.linspace(0, 1, grid)
    c, m, y, k = np.meshgrid(g, g, g, g, indexing="ij")  # the first input varies slowest
    gain = lambda a: a + 0.8 * a * (1 - a)  # noqa: E731 - tone value increase: 20% at 50%
    c, m, y, k = gain(c), gain(m), gain(y), gain(k)
    # linear sRGB-like reflectance: each ink absorbs mostly its own band, a little of the others
    absorb = {"c": (0.88, 0.25, 0.08), "m": (0.10, 0.85, 0.30), "y": (0.02, 0.08, 0.90), "k": (0.93, 0.93, 0.93)}
    rgb = np.stack([paper[i] * np.ones_like(c) for i in range(3)], axis=-1)
    for ink, cover in (("c", c), ("m", m), ("y", y), ("k", k)):
        rgb = rgb * (1 - cover[..., None] * np.array(absorb[ink]))
    to_xyz = np.array([[0.4360, 0.3851, 0.1431], [0.2225, 0.7169, 0.0606], [0.0139, 0.0971, 0.7142]])  # D50
    xyz = rgb @ to_xyz.T / D50
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    lab = np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)
    encoded = np.stack([lab[..., 0] * 0xFF00 / 100, (lab[..., 1] + 128) * 256, (lab[..., 2] + 128) * 256], axis=-1)
    clut = np.clip(np.round(encoded), 0, 65535).astype(">u2").tobytes()
    head = b"mft2" + bytes(4) + bytes([4, 3, grid, 0]) + _s15([1, 0, 0, 0, 1, 0, 0, 0, 1]) + struct.pack(">HH", 2, 2)
    identity = struct.pack(">2H", 0, 65535)
    return head + identity * 4 + clut + identity * 3


def uncoated_cmyk(intent: int = 0, grid: int = 9) -> bytes:
    """A CMYK output profile of uncoated paper, yellowish. Its A2B0 (perceptual) keeps the paper's tint; with
    ``intent`` 1 (relative colorimetric) in its header it also has an A2B1 on a white paper, so the two differ."""
    tags = {b"desc": _desc("Uncoated test press"), b"A2B0": _press_table((0.86, 0.85, 0.74), grid)}
    if intent == 1:
        tags[b"A2B1"] = _press_table((1.0, 1.0, 1.0), grid)
    return icc(b"prtr", b"CMYK", b"Lab ", tags, intent)


def colourful(mode: str = "RGB", size: tuple[int, int] = (256, 192)) -> Image.Image:
    """Saturated and mid-tone fields over the top half, gradients of every channel below; in ``mode`` (RGB or CMYK)."""
    width, height = size
    bands = len(mode)
    pixels = np.zeros((height, width, bands), np.uint8)
    fields = [tuple((i >> b) & 1 for b in range(bands)) for i in range(1, 2**bands)]
    across = width // len(fields) + 1
    for row, level in enumerate((255, 150)):  # full strength above, mid-tones (inside every gamut) below
        for index, on in enumerate(fields):
            pixels[row * height // 4 : (row + 1) * height // 4, index * across : (index + 1) * across] = [
                level * bit for bit in on
            ]
    ramp = np.linspace(0, 255, width)[None, :]
    rows = height - height // 2
    for band in range(bands):
        part = slice(height // 2 + band * rows // bands, height // 2 + (band + 1) * rows // bands)
        pixels[part, :, band] = ramp
        pixels[part, :, (band + 1) % bands] = 255 - ramp  # two channels crossing: strong mixed colours
    return Image.fromarray(pixels, mode)


def _segments(jpeg: bytes) -> tuple[dict[int, list[bytes]], bytes]:
    """A baseline JPEG's marker segments (bodies, by marker) and its entropy-coded scan data."""
    found: dict[int, list[bytes]] = {}
    at = 2
    while True:
        marker = jpeg[at + 1]
        length = struct.unpack_from(">H", jpeg, at + 2)[0]
        body = jpeg[at + 4 : at + 2 + length]
        found.setdefault(marker, []).append(body)
        at += 2 + length
        if marker == 0xDA:  # SOS: the scan runs to EOI
            return found, jpeg[at : jpeg.rindex(b"\xff\xd9")]


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def adobe_jpeg(planes: list[Image.Image], transform: int, icc_profile: bytes | None = None) -> bytes:
    """A 4-component JPEG as Photoshop writes them: an Adobe APP14 segment (transform 0: CMYK, 2: YCCK) and the
    components as stored (Adobe CMYK is inverted: 255 is no ink), one scan each. Each plane is encoded by Pillow
    as a greyscale JPEG at the same quality (so the same tables), and its scan moved into the 4-component file."""
    parsed = []
    for plane in planes:
        out = io.BytesIO()
        plane.save(out, "JPEG", quality=95)
        parsed.append(_segments(out.getvalue()))
    tables = parsed[0][0]
    assert all(p[0][0xDB] == tables[0xDB] and p[0][0xC4] == tables[0xC4] for p in parsed), "tables differ"
    width, height = planes[0].size
    sof = struct.pack(">BHHB", 8, height, width, 4) + b"".join(bytes([i + 1, 0x11, 0]) for i in range(4))
    adobe = b"Adobe" + struct.pack(">HHHB", 100, 0, 0, transform)
    out = b"\xff\xd8" + _segment(0xEE, adobe)
    if icc_profile is not None:
        out += _segment(0xE2, b"ICC_PROFILE\0\x01\x01" + icc_profile)
    out += b"".join(_segment(0xDB, body) for body in tables[0xDB])
    out += _segment(0xC0, sof)
    out += b"".join(_segment(0xC4, body) for body in tables[0xC4])
    for index, (_, scan) in enumerate(parsed):
        out += _segment(0xDA, bytes([1, index + 1, 0x00, 0, 63, 0])) + scan
    return out + b"\xff\xd9"


def inverted_cmyk_jpeg(cmyk: Image.Image, icc_profile: bytes | None = None) -> bytes:
    """Photoshop's CMYK JPEG: every channel stored inverted, Adobe transform 0."""
    return adobe_jpeg([band.point(lambda v: 255 - v) for band in cmyk.split()], 0, icc_profile)


def ycck_jpeg(cmyk: Image.Image, icc_profile: bytes | None = None) -> bytes:
    """Photoshop's YCCK JPEG (Adobe transform 2): C, M, Y as the R, G, B of JPEG's YCbCr, K stored inverted."""
    c, m, y, k = cmyk.split()
    ycc = Image.merge("RGB", (c, m, y)).convert("YCbCr").split()
    return adobe_jpeg([*ycc, k.point(lambda v: 255 - v)], 2, icc_profile)
