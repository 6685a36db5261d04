"""The thumbnail core: image bytes in, thumbnails out. Knows nothing about AWS.

One decode serves every size and every output format: a JPEG is decoded with libjpeg's DCT scaling (``draft``)
at the smallest scale that still covers the largest size, and each smaller size is made from the previous one. A
box size is filled by cropping (crop.py); colour is converted through the picture's profile (colour.py); an
animation keeps its frames in the formats that can hold them (encoding.py); a picture that already fits is never
made bigger.
"""

from __future__ import annotations

import dataclasses
import io
import struct
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageMath, ImageSequence, UnidentifiedImageError

from ..errors import ImageRejected
from . import colour, cpus, crop, encoding, memory, previews
from .formats import NATIVE_OUTPUT, OutputFormat, decode_threads, input_formats, output_format
from .placeholder import blurhash_of
from .sizes import Size, fit, parse_size

__all__ = ["ImageRejected", "Result", "Thumbnail", "check_header", "fit", "make_thumbnails", "prepare_decoders"]

# Frames x pixels of an animation that is kept (decoded frames cost 4 bytes a pixel before they are scaled down);
# beyond it, the first frame is the thumbnail.
ANIMATION_MAX_PIXELS = 50_000_000
# Frames of an animation that is kept: counted from the file's own index (no frame decoded), so a flood of tiny
# frames (20,000 in a 16 MB GIF stays far inside the pixel budget and costs seconds of CPU) becomes a still before
# any frame but the first is decoded. 1,000 frames is 100 s at 10 frames a second.
ANIMATION_MAX_FRAMES = 1_000
ANIMATED_FORMATS = ("GIF", "WEBP", "PNG")  # PNG: APNG

# EXIF orientation -> the transposition that shows the picture upright (as in PIL.ImageOps.exif_transpose).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112
# The orientations whose upright picture is the stored one turned on its side.
_SWAPS = (
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
)
# A downscale from at least this many pixels is cut into strips, one a CPU: a 12 MP picture takes some 40 ms of CPU
# to bring to 1024 (reduce, then bicubic); a smaller one, a few milliseconds that threads would not shorten much.
PARALLEL_PIXELS = 4_000_000
# What a damaged file makes Pillow's decoders raise: the errors Image.open itself treats as "not this format",
# and the ones decoding raises. Found by tests/function/picture/test_fuzz.py: a GIF cut inside a frame's header raises
# IndexError or struct.error while its frames are counted.
_BROWSER_MODES = ("1", "L", "LA", "La", "P", "PA", "RGB", "RGBA")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


@dataclass(frozen=True)
class Thumbnail:
    size: Size  # as asked: a longest edge or a box
    width: int
    height: int
    format: OutputFormat
    data: bytes
    frames: int = 1


@dataclass(frozen=True)
class Result:
    source_format: str  # Pillow's name: JPEG, PNG, WEBP, GIF, HEIF or AVIF (a multi-picture JPEG is JPEG)
    source_width: int  # as displayed, after EXIF orientation
    source_height: int
    thumbnails: list[Thumbnail]
    notes: list[str] = field(default_factory=list)  # what the log should say: an animation not kept, and why
    blurhash: str = ""  # the BlurHash placeholder, from the smallest thumbnail (placeholder.py)
    details: dict[str, str] = field(default_factory=dict)  # a PDF's or video's own (previews.py): page-count, ...


@dataclass(frozen=True)
class Options:
    requested_format: str = "auto"  # one format, or "auto"; ``formats`` overrides it when given
    quality: int = 85
    crop: str = "entropy"
    animation: bool = True
    animation_max_pixels: int = ANIMATION_MAX_PIXELS
    animation_max_frames: int = ANIMATION_MAX_FRAMES
    still: str = ""  # why the animation cannot be kept, when that is known before rendering
    formats: tuple[str, ...] = ()  # every size in each of these formats, in this order (OUTPUT_FORMATS)
    colour: str = "keep"  # colour.POLICIES
    jpeg_progressive: bool = False
    threads: int = 1  # the CPUs the function has (cpus.py): HEIF tiles and the largest downscale use them

    @property
    def requested(self) -> tuple[str, ...]:
        return self.formats or (self.requested_format,)


def make_thumbnails(
    source: str | Path | BinaryIO,
    sizes: Sequence[Size | int | str],
    *,
    requested_format: str = "auto",
    quality: int = 85,
    max_pixels: int = 50_000_000,
    crop: str = "entropy",
    animation: bool = True,
    animation_max_pixels: int = ANIMATION_MAX_PIXELS,
    extra_formats: tuple[str, ...] = (),
    memory_mb: int = 0,
    animation_max_frames: int = ANIMATION_MAX_FRAMES,
    still: str = "",
    formats: Sequence[str] = (),
    colour: str = "keep",
    jpeg_progressive: bool = False,
    poster_seconds: float | None = None,
) -> Result:
    """Decode ``source`` once and return one thumbnail per size and format: the sizes in the order asked, each in
    ``formats`` (in their order) or, when none are given, in ``requested_format``.

    ``memory_mb``: the function's memory; a picture that would not fit it is refused before it is decoded (0: no
    limit but ``max_pixels``). ``poster_seconds``: where a video's poster frame is (None: its first frame that is
    not black; previews.py)."""
    wanted = [parse_size(s) for s in sizes]
    if not wanted:
        raise ValueError("at least one size is required")
    options = Options(
        requested_format,
        quality,
        crop,
        animation,
        animation_max_pixels,
        animation_max_frames,
        still,
        tuple(dict.fromkeys(formats)),
        colour,
        jpeg_progressive,
        cpus.available(memory_mb),
    )
    decoders = input_formats(extra_formats)
    decode_threads(extra_formats, options.threads)
    # A PDF or a video (when extra_formats names it) becomes one still picture, then goes the picture's way.
    if extra_formats and (
        shown := previews.still(source, extra_formats, wanted, max_pixels, memory_mb, poster_seconds)
    ):
        rendered = _Render(shown.image, shown.format, source, options).run(sorted(set(wanted), reverse=True), wanted)
        return dataclasses.replace(rendered, details=shown.details)
    try:
        im = Image.open(source, formats=decoders)
    except UnidentifiedImageError:
        names = ", ".join(_names(decoders) + previews.names(extra_formats))
        raise ImageRejected(f"not an image in a supported format ({names})") from None
    except Image.DecompressionBombError as exc:
        raise ImageRejected(f"too many pixels: {exc}") from None
    except _DECODE_ERRORS as exc:
        raise ImageRejected(f"corrupt image: {exc}") from None
    with im:
        _check_pixels(*im.size, max_pixels)
        _check_memory(im, memory_mb)
        # A JPEG with an MPF index (3D cameras, phones' HDR gain maps) is "MPO" to Pillow: its first picture, the
        # one every viewer shows, is a JPEG, and that is the one decoded.
        source_format = "JPEG" if im.format == "MPO" else (im.format or "")
        apng = im.format == "PNG" and getattr(im, "is_animated", False)
        try:
            render = _Render(im, source_format, source, options)
            if source_format == "HEIF":
                render.use_heif_thumbnail(wanted)
                render.decode_heif_as_stored()
            return render.run(sorted(set(wanted), reverse=True), wanted)
        except Image.DecompressionBombError as exc:  # a frame larger than the picture's own size says
            raise ImageRejected(f"too many pixels: {exc}") from None
        except _DECODE_ERRORS as exc:
            if not apng or options.still:
                raise ImageRejected(f"corrupt or truncated image: {exc}") from None
            broken = exc
    # An APNG whose animation chunks are broken but whose default image is intact: browsers show that image, still.
    if not isinstance(source, (str, Path)):
        source.seek(0)
    reason = f"its APNG animation chunks are broken ({broken}); the still picture browsers show is used"
    return make_thumbnails(
        source,
        wanted,
        requested_format=requested_format,
        quality=quality,
        max_pixels=max_pixels,
        crop=crop,
        animation=False,
        extra_formats=extra_formats,
        memory_mb=memory_mb,
        still=reason,
        formats=formats,
        colour=colour,
        jpeg_progressive=jpeg_progressive,
    )


def prepare_decoders(extra_formats: tuple[str, ...] = (), colour_policy: str = "keep") -> None:
    """Load every decoder this configuration reads (and, under ``srgb``, LittleCMS), before a picture is decoded in
    a child (containment.py): then each child inherits them instead of loading them again."""
    Image.init()
    input_formats(extra_formats)
    if "heif" in extra_formats:
        from . import libheif

        libheif.library()  # libheif's C API bound once (libheif.py)
    previews.prepare(extra_formats)
    colour.prepare(colour_policy)


def check_header(header: bytes, max_pixels: int, extra_formats: tuple[str, ...] = (), memory_mb: int = 0) -> None:
    """Refuse a picture from its first bytes when they already say it has too many pixels or would not fit the
    function's memory (a decompression bomb is refused before it is downloaded). Bytes that do not say, or are
    not a picture, are left to the full decode, which decides."""
    try:
        im = Image.open(io.BytesIO(header), formats=input_formats(extra_formats))
    except Image.DecompressionBombError as exc:
        raise ImageRejected(f"too many pixels: {exc}") from None
    except Exception:  # a header cut short is no verdict
        return
    with im:
        _check_pixels(*im.size, max_pixels)
        _check_memory(im, memory_mb)


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageRejected(f"{width}x{height} is {width * height} pixels, more than MAX_IMAGE_PIXELS={max_pixels}")


def _check_memory(im: Image.Image, memory_mb: int) -> None:
    if not memory_mb:
        return
    fmt = "JPEG" if im.format == "MPO" else (im.format or "")
    transparent = im.info.get("transparency") is not None
    needed = memory.needed_mb(fmt, im.mode, im.width * im.height, transparent)
    if needed > memory_mb:
        raise ImageRejected(
            f"{im.width}x{im.height} {fmt} {im.mode} needs about {needed:.0f} MB to thumbnail, more than the "
            f"function's memory_size of {memory_mb} MB: raise memory_size, or lower max_image_pixels"
        )


def _names(formats: tuple[str, ...]) -> list[str]:
    return [{"WEBP": "WebP"}.get(f, f) for f in formats]


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except Exception:  # a damaged EXIF block is no reason to refuse the picture
        return 1
    return value if isinstance(value, int) else 1


class _Render:
    """One decoded picture made into every size: the still path, or the animated one."""

    def __init__(self, im: Image.Image, source_format: str, source: object, options: Options) -> None:
        self.im = im
        self.source_format = source_format
        self.source = source
        self.options = options
        self.notes: list[str] = []
        self._source: bytes | None = None
        self._shown: tuple[int, int] | None = None  # the picture's size, when ``im`` is its thumbnail item
        self._turn: Image.Transpose | None = None  # HEIF's rotation, when ``im`` is decoded without it
        self._heif: bytes | None = None  # the HEIF whose picture is ``im``, decoded to its planes (libheif.py)

    def use_heif_thumbnail(self, wanted: list[Size]) -> None:
        """Decode the HEIF's thumbnail item instead of the picture when it is as good for every size (heif.py).
        libheif has turned both upright already (HEIF's own rotation), so the sizes are the ones shown."""
        scaled = [size.target(*self.im.size)[0] for size in wanted]
        needed = (max(w for w, _ in scaled), max(h for _, h in scaled))
        if max(self.im.info.get("thumbnails") or [0]) < max(needed):
            return  # the common case: a size larger than any thumbnail (the file is not read again)
        from . import heif

        small = heif.thumbnail(self.im, self._source_bytes(), needed)
        if small is not None:
            self._shown = self.im.size
            self.im = small  # the picture itself is closed by make_thumbnails, never decoded

    def decode_heif_as_stored(self) -> None:
        """A HEIF with a rotation (irot: a phone writes one for a picture taken on its side) is decoded as stored
        and turned after its largest downscale, as a JPEG's EXIF orientation is, instead of libheif turning every
        decoded pixel first (heif.py). Not for its thumbnail item, which libheif turns (it is small)."""
        if self._shown is not None:
            return
        from . import heif

        self._heif = self._source_bytes()
        unrotated = heif.unrotated(self._heif)
        if unrotated is not None:
            self._heif, self._turn = unrotated
            self.im = Image.open(io.BytesIO(self._heif), formats=("HEIF",))  # the picture itself is never decoded

    def run(self, sizes: list[Size], order: list[Size]) -> Result:
        im = self.im
        frames = self._animation_frames()
        fmts = self._formats(frames is not None)
        if frames is not None and not any(f.animation for f in fmts):
            named = " and ".join(f.name for f in fmts)
            self.notes.append(f"animation not kept: {named} output is a still picture; its first frame is used")
            frames = None
        elif frames is not None and (stills := [f.name for f in fmts if not f.animation]):
            self.notes.append(f"animation kept except in {' and '.join(stills)}: a still of its first frame")
        if im.format not in ("JPEG", "MPO") and self._heif is None:
            # Decode now, where an error refuses the picture: reading a PNG's EXIF decodes it too, and _orientation
            # forgives errors (a damaged EXIF block is no reason to refuse), which would keep a half-decoded
            # picture. A JPEG's EXIF comes before its pixels, and decoding it later lets ``draft`` scale it; a
            # HEIF's EXIF is read with its header (pi-heif), and decoding it later lets its planes be scaled.
            im.load()
        upright = self._turn or _ORIENTATION.get(_orientation(im))
        swap = upright in _SWAPS
        shown = self._shown or ((im.height, im.width) if swap else im.size)
        plans = [(size, *size.target(*shown)) for size in sizes]
        plans.sort(key=lambda plan: plan[1], reverse=True)  # largest scale first: each made from the one before
        if frames is not None:
            thumbnails, smallest = self._animated(frames, plans, upright, fmts)
        else:
            thumbnails, smallest = self._still(plans, upright, shown, fmts)
        by_size = {(t.size, t.format.name): t for t in thumbnails}
        ordered = [by_size[s, f.name] for s in order for f in fmts]
        return Result(self.source_format, shown[0], shown[1], ordered, self.notes, blurhash_of(smallest))

    def _formats(self, animated: bool) -> list[OutputFormat]:
        """The output formats, once each (``auto`` resolved for this picture), in the order asked."""
        resolved = [output_format(self.source_format, name, animated=animated) for name in self.options.requested]
        return list({f.name: f for f in resolved}.values())

    def _encoding(self, fmt: OutputFormat) -> encoding.Encoding:
        options = self.options
        return encoding.Encoding(fmt, options.quality, progressive=options.jpeg_progressive)

    def _animation_frames(self) -> int | None:
        """The number of frames to keep, or None for a still picture (or an animation not kept, noted)."""
        im = self.im
        if im.format not in ANIMATED_FORMATS or not getattr(im, "is_animated", False):
            return None  # a multi-picture JPEG's other pictures are not frames
        if self.options.still:
            self.notes.append(f"animation not kept: {self.options.still}")
            return None
        if not self.options.animation:
            self.notes.append("animation not kept: ANIMATION is off; its first frame is used")
            return None
        # The count comes from the file's index (acTL, WebP's ANIM, GIF's frame headers): no frame is decoded.
        count = getattr(im, "n_frames", 1) - (
            1 if getattr(im, "default_image", False) else 0
        )  # APNG: a still apart from frames
        if count > self.options.animation_max_frames:
            self.notes.append(
                f"animation not kept: {count} frames are more than ANIMATION_MAX_FRAMES="
                f"{self.options.animation_max_frames}; its first frame is used"
            )
            return None
        budget = self.options.animation_max_pixels
        if count * im.width * im.height > budget:
            self.notes.append(
                f"animation not kept: {count} frames of {im.width}x{im.height} are more than "
                f"ANIMATION_MAX_PIXELS={budget} frame pixels; its first frame is used"
            )
            return None
        return count

    def _still(
        self,
        plans: list[tuple[Size, tuple[int, int], tuple[int, int] | None]],
        upright: Image.Transpose | None,
        shown: tuple[int, int],
        fmts: list[OutputFormat],
    ) -> tuple[list[Thumbnail], Image.Image]:
        """Every size in every format, and the smallest picture (the placeholder's source)."""
        im = self.im
        first = plans[0][1][::-1] if upright in _SWAPS else plans[0][1]  # the largest, in the stored orientation
        if im.format in ("JPEG", "MPO") and first != im.size:
            im.draft(None, first)  # DCT scaling: decode at 1/2, 1/4 or 1/8 when that still covers `first`
        scaled_heif = self._heif_planes(first) if self._heif is not None else None
        if scaled_heif is None:
            im.load()
        managed = self._managed(scaled_heif if scaled_heif is not None else im)
        icc = managed.icc
        current = _normalise(managed.image)
        if current.size != first:
            current = _downscale(current, first, self.options.threads)
        if upright is not None:
            current = current.transpose(upright)
        out: list[Thumbnail] = []
        for size, scaled, box in plans:
            if current.size != scaled:
                current = _downscale(current, scaled)
            picture = current.crop(crop.region(current, box, self.options.crop)) if box and box != scaled else current
            for fmt in fmts:
                if scaled == shown and picture is current:  # it already fits: never bigger than the source
                    # The source's own bytes only where every browser shows them as we would (not CMYK, not
                    # 16-bit, not converted to another colour space).
                    native = (
                        NATIVE_OUTPUT.get(self.source_format) == fmt.name
                        and upright is None
                        and self.im.mode in _BROWSER_MODES
                        and not managed.converted
                    )
                    data = encoding.smallest(picture, self._encoding(fmt), icc, self._source_bytes(), native)
                else:
                    data = encoding.encode(picture, self._encoding(fmt), icc)
                out.append(Thumbnail(size, picture.width, picture.height, fmt, data))
        return out, picture

    def _heif_planes(self, size: tuple[int, int]) -> Image.Image | None:
        """The HEIF's picture at ``size`` (stored orientation): decoded to its YCbCr planes, each scaled down as an RGB
        picture would be, then converted to RGB (libheif.py); None when that path does not take the picture."""
        from . import libheif

        threads = self.options.threads
        with libheif.decoded(self._heif or b"", threads) as planes:
            if planes is None or planes.y.size != self.im.size:
                return None
            y = _downscale(planes.y, size, threads)  # in strips, one a CPU
            chroma: list[Callable[[], Image.Image]] = [partial(_downscale, p, size) for p in (planes.cb, planes.cr)]
            cb, cr = _parallel(chroma) if threads > 1 else [job() for job in chroma]  # a plane a CPU
            picture = planes.rgb(y, cb, cr)
        picture.info = dict(self.im.info)
        return picture

    def _managed(self, im: Image.Image) -> colour.Managed:
        """The picture in the colour space thumbnails are written in (colour.py), its note kept for the log."""
        managed = colour.managed(im, self.options.colour)
        if managed.note and managed.note not in self.notes:
            self.notes.append(managed.note)
        return managed

    def _animated(
        self,
        count: int,
        plans: list[tuple[Size, tuple[int, int], tuple[int, int] | None]],
        upright: Image.Transpose | None,
        fmts: list[OutputFormat],
    ) -> tuple[list[Thumbnail], Image.Image]:
        """Every frame resized to each size in turn (only one size's frames are held at a time), in each format
        that holds animation, and the first frame alone in each that does not; and the smallest size's first frame
        (the placeholder's source)."""
        im = self.im
        loop = im.info.get("loop", 1 if im.format == "GIF" else 0)  # a GIF without a loop count plays once
        durations: list[int] = []
        frames: list[Image.Image] = []
        largest = plans[0][1]
        icc: bytes | None = None
        announced = im.size
        for index, frame in enumerate(_frames(im, count)):
            # A GIF frame may lie outside the picture's own size, and Pillow grows the canvas to hold it, before
            # decoding: a 556-byte GIF of 64x40 announced a frame that made it 16464x10240. The budget above was
            # counted on the announced size, so a grown canvas is counted again before its frame is decoded.
            if frame.size != announced and count * frame.width * frame.height > self.options.animation_max_pixels:
                raise ImageRejected(
                    f"frame {index + 1} grows the {announced[0]}x{announced[1]} picture to {frame.width}x"
                    f"{frame.height}: {count} frames of that are more than ANIMATION_MAX_PIXELS="
                    f"{self.options.animation_max_pixels} frame pixels"
                )
            frame.load()  # WebP sets a frame's duration when it decodes it
            durations.append(round(frame.info.get("duration", 0) or 0))
            managed = self._managed(frame)
            if index == 0:
                icc = managed.icc
            picture = managed.image.convert("RGBA")
            if upright is not None:
                picture = picture.transpose(upright)
            frames.append(picture if picture.size == largest else _downscale(picture, largest))
        out: list[Thumbnail] = []
        for size, scaled, box in plans:
            frames = [f if f.size == scaled else _downscale(f, scaled) for f in frames]
            pictures = frames
            if box and box != scaled:
                region = crop.region(frames[0], box, self.options.crop)  # one region for every frame
                pictures = [f.crop(region) for f in frames]
            for fmt in fmts:
                if fmt.animation:
                    data = encoding.encode_frames(pictures, durations, loop, self._encoding(fmt), icc)
                    shown = len(pictures)
                else:
                    data, shown = encoding.encode(pictures[0], self._encoding(fmt), icc), 1
                out.append(Thumbnail(size, pictures[0].width, pictures[0].height, fmt, data, frames=shown))
        return out, pictures[0]

    def _source_bytes(self) -> bytes:
        """The source's own bytes, read once for every size and format that already fits."""
        if self._source is None:
            if isinstance(self.source, (str, Path)):
                self._source = Path(self.source).read_bytes()
            else:
                stream: BinaryIO = self.source  # type: ignore[assignment]
                stream.seek(0)
                self._source = stream.read()
        return self._source


def _frames(im: Image.Image, count: int) -> Iterator[Image.Image]:
    """The frames of an animation as shown (composited by Pillow), without an APNG's separate default image."""
    skip = getattr(im, "n_frames", 1) - count
    for index, frame in enumerate(ImageSequence.Iterator(im)):
        if index >= skip:
            yield frame


def _downscale(im: Image.Image, size: tuple[int, int], threads: int = 1) -> Image.Image:
    """Box-reduce by the whole-number part of the factor, then bicubic for the rest (libvips' shrink + reduce).

    An exact halving (1024 -> 512 -> 256) is a box reduce alone; Pillow's resize would add a 1:1 pass. With
    ``threads`` > 1 and a large picture, Pillow's own two steps are cut into horizontal strips scaled at once, one a
    thread (Pillow lets go of the GIL while it scales): the same box reduce of the same source rows, and the same
    bicubic weights (Pillow reads a strip's neighbours beyond its box), so the same picture: where a strip's edge falls
    between source rows, a few pixels along it may round one way or the other (tests/function/picture/test_cpus.py).
    """
    factor = round(im.width / size[0])
    if factor >= 2 and -(-im.width // factor) == size[0] and -(-im.height // factor) == size[1]:
        return _reduced(im, (factor, factor), _threads_for(im, size, threads))
    threads = _threads_for(im, size, threads)
    if threads == 1:
        return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0)
    # What resize(reducing_gap=1.0) does: reduce by the whole part of each side's factor, then bicubic from the
    # reduced picture's share of the source (a fraction of its last column and row when a side does not divide).
    fx, fy = max(1, im.width // size[0]), max(1, im.height // size[1])
    box = (0.0, 0.0, im.width / fx, im.height / fy)
    reduced = _reduced(im, (fx, fy), threads) if fx > 1 or fy > 1 else im
    scale = box[3] / size[1]
    bicubic = Image.Resampling.BICUBIC
    parts = _parallel(
        [partial(reduced.resize, (size[0], b - a), bicubic, (0, a * scale, box[2], b * scale))
         for a, b in _strips(size[1], threads)]
    )  # fmt: skip
    return _stacked(parts, size, im.mode)


def _threads_for(im: Image.Image, size: tuple[int, int], threads: int) -> int:
    return threads if threads > 1 and im.width * im.height >= PARALLEL_PIXELS and size[1] >= 16 * threads else 1


def _reduced(im: Image.Image, factor: tuple[int, int], threads: int) -> Image.Image:
    """``im.reduce(factor)``, in strips of whole blocks of rows on ``threads`` threads."""
    if threads == 1:
        return im.reduce(factor)
    fx, fy = factor
    width, height = -(-im.width // fx), -(-im.height // fy)
    parts = _parallel(
        [partial(im.reduce, factor, (0, a * fy, im.width, min(im.height, b * fy))) for a, b in _strips(height, threads)]
    )
    return _stacked(parts, (width, height), im.mode)


def _strips(rows: int, count: int) -> list[tuple[int, int]]:
    bounds = [rows * i // count for i in range(count + 1)]
    return list(zip(bounds, bounds[1:], strict=False))


def _parallel(jobs: list[Callable[[], Image.Image]]) -> list[Image.Image]:
    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(lambda job: job(), jobs))


def _stacked(parts: list[Image.Image], size: tuple[int, int], mode: str) -> Image.Image:
    out = Image.new(mode, size)
    top = 0
    for part in parts:
        out.paste(part, (0, top))
        top += part.height
    return out


def _normalise(im: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB or RGBA, keeping transparency and the tonal range."""
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale: scale 0..65535 to 0..255 (a plain convert("L") would clip to white)
        wide = im.convert("I")
        grey = wide.point(lambda v: v * (1 / 257)).convert("L")
        transparent = im.info.get("transparency")
        if isinstance(transparent, int):  # a tRNS grey level: that exact 16-bit value is transparent
            alpha = ImageMath.lambda_eval(lambda a: (a["im"] != transparent) * 255, im=wide).convert("L")
            return Image.merge("RGBA", (grey, grey, grey, alpha))
        return grey
    if mode == "F":
        return im.convert("L")
    if mode in ("1", "L", "RGB", "P") and im.info.get("transparency") is not None:
        return im.convert("RGBA")
    if mode in ("LA", "PA", "RGBa", "La"):
        return im.convert("RGBA")
    if mode in ("L", "RGB", "RGBA"):
        return im
    if mode == "1":
        return im.convert("L")
    return im.convert("RGB")  # CMYK (Adobe inversion handled by the decoder), YCbCr, P, RGBX, LAB, HSV
