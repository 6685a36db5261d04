"""A HEIF's picture decoded to its own YCbCr planes, through libheif's C API: the colour conversion after the downscale.

pi-heif asks libheif for interleaved RGB, and libheif converts every decoded pixel from the HEVC's YCbCr (for an
iPhone's 12 MP photo, 4:2:0) to RGB on one thread, after its tiles were decoded on several; pi-heif then copies the
RGB into Pillow. Both are work a second CPU cannot shorten. Here libheif decodes the same picture (the same decoder,
the same tiles on the same threads) to its planes instead, which Pillow reads in place (no copy); imaging.py scales
each plane down as it would an RGB picture and converts to RGB at the thumbnail's size, a few hundred thousand pixels
instead of twelve million, by the matrix and range libheif says the planes are in (the decoded image's nclx, which
its own RGB conversion reads: BT.601, full range, for an iPhone's photo). The equations are Rec. ITU-T H.273's;
for limited range they scale by 255/219 and 255/224 exactly.

pi-heif (the binding the layer carries) cannot ask for planes, so the libheif pi-heif loaded is called through
ctypes: no byte is added to the layer, and the licence is the same (LGPL-3.0). What this path does not take is left
to pi-heif, as before, and ``decoded`` says so (None) before anything is decoded: a picture with alpha, more than 8
bits, monochrome, or not coded as YCbCr. Planes in a matrix without a fixed Kr and Kb (KR_KB: identity, YCgCo,
chromaticity-derived, ICtCp) are left to pi-heif too, but that is known only once they are decoded, so such a
picture is decoded twice; libheif hands the planes of every file this machine's encoder makes in BT.601. The decode
stays where it was, in the forked child (containment.py), after the pixel and memory checks.
tests/function/picture/test_libheif.py compares this path's thumbnails with pi-heif's.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from PIL import Image

# libheif's enums (heif.h, heif_image.h, heif_color.h).
_YCBCR, _CHROMA_420, _CHROMA_422, _CHROMA_444 = 0, 1, 2, 3
_CHANNELS = (0, 1, 2)  # heif_channel_Y, heif_channel_Cb, heif_channel_Cr
# Kr, Kb of the matrices libheif converts with them (heif_matrix_coefficients; 2 is "unspecified", which libheif
# converts as BT.601, as it does a picture with no nclx at all).
KR_KB = {
    1: (0.2126, 0.0722),  # BT.709
    2: (0.299, 0.114),  # unspecified
    4: (0.30, 0.11),  # US FCC T47
    5: (0.299, 0.114),  # BT.470 B/G
    6: (0.299, 0.114),  # BT.601
    7: (0.212, 0.087),  # SMPTE 240M
    9: (0.2627, 0.0593),  # BT.2020 non-constant luminance
    10: (0.2627, 0.0593),  # BT.2020 constant luminance: libheif converts it as 9
}
_DEFAULT_MATRIX, _DEFAULT_FULL_RANGE = 6, True  # libheif's when the decoded image has no nclx


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("subcode", ctypes.c_int), ("message", ctypes.c_char_p)]


class _Nclx(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint8),
        ("color_primaries", ctypes.c_int),
        ("transfer_characteristics", ctypes.c_int),
        ("matrix_coefficients", ctypes.c_int),
        ("full_range_flag", ctypes.c_uint8),
    ]  # the primaries' chromaticities follow; only read here, never allocated


_P = ctypes.c_void_p
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "heif_get_version_number": (ctypes.c_uint32, []),
    "heif_context_alloc": (_P, []),
    "heif_context_free": (None, [_P]),
    "heif_context_set_max_decoding_threads": (None, [_P, ctypes.c_int]),
    "heif_context_read_from_memory_without_copy": (_Error, [_P, ctypes.c_char_p, ctypes.c_size_t, _P]),
    "heif_context_get_primary_image_handle": (_Error, [_P, ctypes.POINTER(_P)]),
    "heif_image_handle_release": (None, [_P]),
    "heif_image_handle_has_alpha_channel": (ctypes.c_int, [_P]),
    "heif_image_handle_get_luma_bits_per_pixel": (ctypes.c_int, [_P]),
    "heif_image_handle_get_chroma_bits_per_pixel": (ctypes.c_int, [_P]),
    "heif_image_handle_get_preferred_decoding_colorspace": (
        _Error,
        [_P, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)],
    ),
    "heif_decode_image": (_Error, [_P, ctypes.POINTER(_P), ctypes.c_int, ctypes.c_int, _P]),
    "heif_image_release": (None, [_P]),
    "heif_image_get_width": (ctypes.c_int, [_P, ctypes.c_int]),
    "heif_image_get_height": (ctypes.c_int, [_P, ctypes.c_int]),
    "heif_image_get_plane_readonly2": (_P, [_P, ctypes.c_int, ctypes.POINTER(ctypes.c_size_t)]),
    "heif_image_get_nclx_color_profile": (_Error, [_P, ctypes.POINTER(ctypes.POINTER(_Nclx))]),
    "heif_nclx_color_profile_free": (None, [_P]),
}


@cache
def library() -> ctypes.CDLL | None:
    """pi-heif's libheif, with the functions this path calls; None where it is not there (no HEIF support, or a
    libheif without them: then pi-heif decodes, as it always did)."""
    try:
        import _pi_heif  # loads pi-heif's libheif (and its libde265) by their hashed names
    except ImportError:
        return None
    libs = os.path.join(os.path.dirname(_pi_heif.__file__), "pi_heif.libs")  # auditwheel's place for them
    found = sorted(glob.glob(os.path.join(libs, "libheif*.so*")))
    if not found:
        return None
    try:
        lib = ctypes.CDLL(found[0])
        for name, (result, arguments) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.restype, function.argtypes = result, arguments
    except (OSError, AttributeError):  # a libheif before 1.20 has no heif_image_get_plane_readonly2
        return None
    return lib if lib.heif_get_version_number() >> 24 == 1 else None  # the API of libheif 1.x, bound above


@dataclass(frozen=True)
class Planes:
    """A decoded picture's Y, Cb and Cr, each an "L" image over libheif's memory (valid inside ``decoded`` only)."""

    y: Image.Image
    cb: Image.Image
    cr: Image.Image
    matrix: int  # heif_matrix_coefficients
    full_range: bool

    def rgb(self, y: Image.Image, cb: Image.Image, cr: Image.Image) -> Image.Image:
        """Y, Cb and Cr brought to one size (scaled copies of these planes), as RGB: one pass of Pillow's matrix
        conversion, rounded and clipped, as libheif converts."""
        return Image.merge("RGB", (y, cb, cr)).convert("RGB", matrix=conversion(self.matrix, self.full_range))


def conversion(matrix: int, full_range: bool) -> tuple[float, ...]:
    """Y'CbCr (8-bit, in Pillow's R, G and B) to R'G'B' as Pillow's 12-value matrix: each output a weighted sum of
    Y, Cb and Cr plus an offset. Rec. ITU-T H.273's equations, for the matrix's Kr and Kb."""
    kr, kb = KR_KB[matrix]
    kg = 1 - kr - kb
    y_scale, c_scale, y_offset = (1.0, 1.0, 0.0) if full_range else (255 / 219, 255 / 224, 16.0)
    r_cr = 2 * (1 - kr) * c_scale
    b_cb = 2 * (1 - kb) * c_scale
    g_cb = -2 * kb * (1 - kb) / kg * c_scale
    g_cr = -2 * kr * (1 - kr) / kg * c_scale

    def row(cb: float, cr: float) -> tuple[float, float, float, float]:
        return (y_scale, cb, cr, -y_scale * y_offset - 128 * (cb + cr))

    return (*row(0.0, r_cr), *row(g_cb, g_cr), *row(b_cb, 0.0))


@contextmanager
def decoded(data: bytes, threads: int) -> Iterator[Planes | None]:
    """The primary picture of the HEIF ``data`` decoded to its planes on ``threads`` threads (libheif applies the
    file's own transformations, as for pi-heif); None when this path does not take it (nothing decoded, but for
    planes in a matrix outside KR_KB). Any error of libheif's, a damaged bitstream or one of its security limits,
    raises ValueError with libheif's message, which refuses the picture with that reason."""
    lib = library()
    if lib is None:
        yield None
        return
    context = lib.heif_context_alloc()
    handle, image = _P(), _P()
    try:
        lib.heif_context_set_max_decoding_threads(context, max(1, threads))
        _check(lib.heif_context_read_from_memory_without_copy(context, data, len(data), None))
        _check(lib.heif_context_get_primary_image_handle(context, ctypes.byref(handle)))
        chroma = _taken(lib, handle)
        if chroma is None:
            yield None
            return
        _check(lib.heif_decode_image(handle, ctypes.byref(image), _YCBCR, chroma, None))
        yield _planes(lib, image)
    finally:
        if image:
            lib.heif_image_release(image)
        if handle:
            lib.heif_image_handle_release(handle)
        lib.heif_context_free(context)


def _taken(lib: ctypes.CDLL, handle: ctypes.c_void_p) -> int | None:
    """The chroma to decode ``handle`` to, when this path takes it; else None."""
    if lib.heif_image_handle_has_alpha_channel(handle):
        return None
    if lib.heif_image_handle_get_luma_bits_per_pixel(handle) != 8:
        return None
    if lib.heif_image_handle_get_chroma_bits_per_pixel(handle) != 8:
        return None
    colourspace, chroma = ctypes.c_int(), ctypes.c_int()
    error = lib.heif_image_handle_get_preferred_decoding_colorspace(
        handle, ctypes.byref(colourspace), ctypes.byref(chroma)
    )
    if error.code or colourspace.value != _YCBCR or chroma.value not in (_CHROMA_420, _CHROMA_422, _CHROMA_444):
        return None
    return int(chroma.value)


def _planes(lib: ctypes.CDLL, image: ctypes.c_void_p) -> Planes | None:
    matrix, full_range = _matrix(lib, image)
    if matrix not in KR_KB:
        return None
    views = []
    for channel in _CHANNELS:
        stride = ctypes.c_size_t()
        address = lib.heif_image_get_plane_readonly2(image, channel, ctypes.byref(stride))
        width, height = lib.heif_image_get_width(image, channel), lib.heif_image_get_height(image, channel)
        if not address or width <= 0 or height <= 0:
            return None
        memory = (ctypes.c_uint8 * (stride.value * height)).from_address(address)
        views.append(Image.frombuffer("L", (width, height), memory, "raw", "L", stride.value, 1))
    y, cb, cr = views
    return Planes(y, cb, cr, matrix, full_range)


def _matrix(lib: ctypes.CDLL, image: ctypes.c_void_p) -> tuple[int, bool]:
    nclx = ctypes.POINTER(_Nclx)()
    error = lib.heif_image_get_nclx_color_profile(image, ctypes.byref(nclx))
    if error.code or not nclx:
        return _DEFAULT_MATRIX, _DEFAULT_FULL_RANGE
    try:
        return int(nclx.contents.matrix_coefficients), bool(nclx.contents.full_range_flag)
    finally:
        lib.heif_nclx_color_profile_free(nclx)


def _check(error: _Error) -> None:
    if error.code:
        raise ValueError((error.message or b"").decode("utf-8", "replace") or f"libheif error {error.code}")
