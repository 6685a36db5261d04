"""A source's own bytes without its metadata: used as the thumbnail when the picture already fits and re-encoding
it would only make it bigger. The pixels' encoding is kept as it is (losslessly); EXIF (with GPS), XMP, IPTC,
comments, text chunks and multi-picture indexes go. What a viewer needs to show it the same (ICC profile, gamma,
transparency, Adobe colour transform) stays.
"""

from __future__ import annotations

import struct

# PNG chunks a viewer needs to show the picture the same; everything else (eXIf, tEXt, zTXt, iTXt, tIME, private
# chunks) is dropped. An animated PNG is never stripped (its fcTL/fdAT chunks are not kept).
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"cICP",
}  # fmt: skip
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG segments that are metadata: APP1 (EXIF, XMP), APP13 (IPTC, Photoshop), COM. APP2 stays for ICC profiles,
# but not an MPF index (the other pictures of a multi-picture file are cut off too).
_JPEG_APP1, _JPEG_APP2, _JPEG_APP13, _JPEG_COM = 0xE1, 0xE2, 0xED, 0xFE
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
_WEBP_DROP = {b"EXIF", b"XMP "}
_VP8X_EXIF, _VP8X_XMP, _VP8X_ANIMATION = 0x08, 0x04, 0x02


def strip(data: bytes, source_format: str) -> bytes | None:
    """``data`` without its metadata, or None when the format is not one this can strip (or it is malformed)."""
    try:
        if source_format in ("JPEG", "MPO"):
            return _jpeg(data)
        if source_format == "PNG":
            return _png(data)
        if source_format == "WEBP":
            return _webp(data)
    except (IndexError, struct.error, ValueError):
        return None
    return None


def _jpeg(data: bytes) -> bytes | None:
    if data[:2] != b"\xff\xd8":
        return None
    out = [data[:2]]
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            raise ValueError("not at a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == _JPEG_EOI:
            out.append(data[pos : pos + 2])
            return b"".join(out)  # what follows the first picture (MPF's others, trailers) is not kept
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        segment = data[pos:end]
        if marker == _JPEG_SOS:
            end = _entropy_coded_end(data, end)
            segment = data[pos:end]
        if not (marker in (_JPEG_APP1, _JPEG_APP13, _JPEG_COM) or (marker == _JPEG_APP2 and segment[4:8] == b"MPF\0")):
            out.append(segment)
        pos = end
    return None  # no end of image: truncated


def _entropy_coded_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data after a scan header ends: the next marker that is not a stuffed 0xFF00 or
    a restart marker."""
    while True:
        pos = data.index(b"\xff", pos)
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1
            continue
        return pos


def _png(data: bytes) -> bytes | None:
    if not data.startswith(_PNG_SIGNATURE):
        return None
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind == b"acTL":
            return None  # animated: not stripped
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end
    return None


def _webp(data: bytes) -> bytes | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunks = []
    pos = 12
    riff_end = min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while pos + 8 <= riff_end:
        kind = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + 8 + length + (length & 1)
        chunk = data[pos:end]
        if kind == b"VP8X":
            if chunk[8] & _VP8X_ANIMATION:
                return None
            chunk = chunk[:8] + bytes([chunk[8] & ~(_VP8X_EXIF | _VP8X_XMP) & 0xFF]) + chunk[9:]
        if kind not in _WEBP_DROP:
            chunks.append(chunk)
        pos = end
    if not any(chunk[:4] in (b"VP8 ", b"VP8L", b"VP8X") for chunk in chunks):
        return None  # no picture in it: truncated
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
