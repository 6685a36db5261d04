"""A HEIF's embedded thumbnail item, decoded instead of the picture when every size is no larger than it.

An iPhone's HEIC carries, beside its 48-tile picture, a thumbnail item of 320 pixels on the long side: one small
HEVC image. When every size asked fits in it, it is all that needs decoding. It is used only when it is as good as
the picture for those sizes: at least as large as the largest size on both sides, the picture's shape (to a pixel),
the same mode and bit depth, and the same colour profile; otherwise the picture is decoded as always.

The gap in the binding: pi-heif 1.4.0 (pillow-heif's decode-only build, which the layer carries) lists the
thumbnails' sizes (``info["thumbnails"]``) but has no way to decode one (pillow-heif's ``get_thumbnail`` and
``draft`` are not in it). So ``as_primary`` makes a copy of the file in which the thumbnail item is the primary
picture, changing two fields in place: ``pitm`` names the thumbnail item, and its ``thmb`` reference is renamed
(``xthm``), so libheif takes it as a picture of its own, with its own properties (its HEVC configuration, size,
rotation and colour). Nothing else in the file moves. The picture stays in the file, and is not decoded.
tests/function/picture/test_heic_thumbnail.py fails when pi-heif can decode a thumbnail itself.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator

from PIL import Image, ImageFile

# A box: its type, where it starts, where its payload starts, where it ends.
Box = tuple[bytes, int, int, int]


def thumbnail(im: Image.Image, data: bytes, needed: tuple[int, int]) -> ImageFile.ImageFile | None:
    """The thumbnail item of ``im`` (an opened, not decoded, HEIF of ``data``), opened as a picture of its own, if
    one is as good as ``im`` for scaling to ``needed`` (width, height as shown): else None."""
    boxes = im.info.get("thumbnails") or []
    if not boxes or max(boxes) < max(needed):
        return None
    for candidate in as_primary(data):
        small = Image.open(io.BytesIO(candidate), formats=("HEIF",))
        if _as_good(small, im, needed):
            return small
        small.close()
    return None


def as_primary(data: bytes) -> Iterator[bytes]:
    """For each thumbnail item of the primary picture, a copy of ``data`` in which it is the primary picture."""
    found = _primary(data)
    if found is None:
        return
    children, pitm, primary = found
    iref = _find(children, b"iref")
    if iref is None:
        return
    id_format = ">I" if data[pitm[2]] else ">H"  # version 1: 32-bit item IDs
    ref_format = ">I" if data[iref[2]] else ">H"
    width = struct.calcsize(ref_format)
    for kind, start, payload, end in _boxes(data, iref[2] + 4, iref[3]):
        if kind != b"thmb" or payload + width + 2 > end:
            continue
        item = struct.unpack_from(ref_format, data, payload)[0]
        count = struct.unpack_from(">H", data, payload + width)[0]
        if payload + width + 2 + count * width > end:
            continue
        targets = [struct.unpack_from(ref_format, data, payload + width + 2 + i * width)[0] for i in range(count)]
        if primary not in targets:
            continue
        copy = bytearray(data)
        struct.pack_into(id_format, copy, pitm[2] + 4, item)
        copy[start + 4 : start + 8] = b"xthm"
        yield bytes(copy)


# HEIF's rotation (irot) turns the picture anticlockwise by its angle, in quarter turns, as Pillow's ROTATE_* do.
_TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}
_TRANSFORMS = (b"irot", b"imir", b"clap")  # the properties that change what is shown, applied in their order


def unrotated(data: bytes) -> tuple[bytes, Image.Transpose] | None:
    """A copy of ``data`` whose primary picture has no rotation, and the turn that shows it as its rotation did; None
    when it has no rotation, or has a mirror or a crop too (whose order with the rotation matters: left to libheif).

    libheif turns the whole decoded picture (12 MP for an iPhone's: about 5% of its decoding time, on one thread);
    turned after the largest downscale instead, as a JPEG's EXIF orientation is, the turn costs next to nothing.
    The copy differs in one byte: the angle of the rotation property, set to 0."""
    found = _primary(data)
    if found is None:
        return None
    children, _, primary = found
    iprp = _find(children, b"iprp")
    if iprp is None:
        return None
    containers = list(_boxes(data, iprp[2], iprp[3]))
    ipco = _find(containers, b"ipco")
    if ipco is None:
        return None
    properties = list(_boxes(data, ipco[2], ipco[3]))
    transforms = [properties[i] for i in _associated(data, containers, primary) if 0 <= i < len(properties)]
    transforms = [box for box in transforms if box[0] in _TRANSFORMS]
    if [box[0] for box in transforms] != [b"irot"] or transforms[0][2] >= transforms[0][3]:
        return None
    angle_at = transforms[0][2]
    turn = _TURNS.get(data[angle_at] & 3)
    if turn is None:
        return None
    copy = bytearray(data)
    copy[angle_at] &= 0xFC
    return bytes(copy), turn


def _associated(data: bytes, containers: list[Box], item: int) -> list[int]:
    """The 0-based indexes in ipco of the properties ``item`` is associated with, in order (every ipma box)."""
    found: list[int] = []
    for kind, _, payload, end in containers:
        if kind != b"ipma" or payload + 8 > end:
            continue
        version, flags = data[payload], int.from_bytes(data[payload + 1 : payload + 4], "big")
        position = payload + 4
        count = struct.unpack_from(">I", data, position)[0]
        position += 4
        for _ in range(count):
            id_size = 2 if version < 1 else 4
            if position + id_size + 1 > end:
                return found
            entry = int.from_bytes(data[position : position + id_size], "big")
            associations = data[position + id_size]
            position += id_size + 1
            size = 2 if flags & 1 else 1
            if position + associations * size > end:
                return found
            for n in range(associations):
                value = int.from_bytes(data[position + n * size : position + (n + 1) * size], "big")
                if entry == item:
                    found.append((value & (0x7FFF if size == 2 else 0x7F)) - 1)
            position += associations * size
    return found


def _as_good(small: Image.Image, im: Image.Image, needed: tuple[int, int]) -> bool:
    return (
        small.width >= needed[0]
        and small.height >= needed[1]
        and abs(small.width * im.height - small.height * im.width) <= max(im.width, im.height)  # its shape
        and small.mode == im.mode
        and small.info.get("bit_depth") == im.info.get("bit_depth")
        and small.info.get("icc_profile") == im.info.get("icc_profile")
        and small.info.get("nclx_profile") == im.info.get("nclx_profile")
    )


def _primary(data: bytes) -> tuple[list[Box], Box, int] | None:
    """The boxes in ``meta``, its ``pitm`` box and the primary item's ID; None for a file without them."""
    top = _find(_boxes(data, 0, len(data)), b"meta")
    if top is None:
        return None
    children = list(_boxes(data, top[2] + 4, top[3]))  # meta is a full box: version and flags first
    pitm = _find(children, b"pitm")
    if pitm is None:
        return None
    return children, pitm, struct.unpack_from(">I" if data[pitm[2]] else ">H", data, pitm[2] + 4)[0]


def _boxes(data: bytes, start: int, end: int) -> Iterator[Box]:
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1 and position + 16 <= end:
            size, header = struct.unpack_from(">Q", data, position + 8)[0], 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            return
        yield kind, position, position + header, position + size
        position += size


def _find(boxes: Iterator[Box] | list[Box], kind: bytes) -> Box | None:
    return next((box for box in boxes if box[0] == kind), None)
