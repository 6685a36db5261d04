"""Every picture of Pillow's own test suite (fetched from its source distribution, devkit/corpus.py) that is in a
format the function reads: a correct thumbnail when Pillow decodes it whole, a clean refusal when it does not.

Correct means: the size fits, the picture is upright (compared with ``ImageOps.exif_transpose``), its content is
the source's (mean difference to a reference resize), and its transparency is kept when the output has alpha.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageOps, ImageStat

from devkit import figures
from devkit.corpus import pillow_test_images
from thumbnailer.errors import ImageRejected
from thumbnailer.picture.colour import fallback_cmyk_profile
from thumbnailer.picture.formats import input_formats
from thumbnailer.picture.imaging import make_thumbnails
from thumbnailer.picture.sizes import fit

EXTRA = ("heif", "avif")
FORMATS = input_formats(EXTRA)
SIZE = 64
MAX_PIXELS = 50_000_000
# Mean difference per channel (0-255), in blocks, between our thumbnail and Pillow's plain resize of the same
# picture. Over the corpus the worst is 3; a quarter-turn is 17 at the median, a half-drawn picture or a lost alpha
# channel far more. Pictures under 8 pixels across get more room: JPEG's chroma subsampling (2x2) shifts each
# block's colour there (a 4x4 red and blue checkerboard: 14).
TOLERANCE = 6.0
TINY, TINY_TOLERANCE = 8, 16.0
REFUSAL = r"corrupt|truncated|not an image|pixels"


@pytest.fixture(scope="module")
def corpus() -> Path:
    return pillow_test_images()


def _pictures(root: Path, wanted: str) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(path, formats=FORMATS) as im:
                    found = "JPEG" if im.format == "MPO" else im.format
        except Exception:
            found = None  # not one of ours, or broken before Pillow knows what it is
        if found == wanted or (wanted == "unidentified" and found is None and _claims(path)):
            yield path


def _claims(path: Path) -> bool:
    """A file that says it is one of ours (by its name) but that Pillow cannot open as one."""
    return path.suffix.lower() in (".jpg", ".jpeg", ".png", ".apng", ".webp", ".gif", ".avif", ".heic", ".heif")


def _reference(path: Path) -> Image.Image | str:
    """Pillow's own upright, fully decoded first frame as RGBA (every frame decoded, for an animation); or why
    Pillow cannot decode it whole."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path, formats=FORMATS) as im:
                if im.width * im.height > MAX_PIXELS:
                    return "pixels"
                broken_apng = False
                if im.format in ("GIF", "WEBP", "PNG") and getattr(im, "is_animated", False):
                    try:
                        for index in range(im.n_frames):
                            im.seek(index)
                            im.load()
                    except Exception:
                        if im.format != "PNG":
                            raise
                        broken_apng = True  # browsers show its default image, still: so does the function
            with Image.open(path, formats=FORMATS) as im:  # again: seeking back does not always give frame 0
                if getattr(im, "default_image", False) and not broken_apng:
                    im.seek(1)  # an APNG's animation starts after its separate default image
                im.load()
                return _rgba(ImageOps.exif_transpose(_srgb(im)))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _srgb(im: Image.Image) -> Image.Image:
    """A CMYK picture as a colour-managed browser shows it: LittleCMS's conversion to sRGB through its own profile,
    or the fallback CMYK profile when it has none (its default intent, as the function converts)."""
    if im.mode != "CMYK":
        return im
    source = ImageCms.ImageCmsProfile(io.BytesIO(im.info.get("icc_profile") or fallback_cmyk_profile()))
    intent = ImageCms.getDefaultIntent(source)
    converted = ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"), intent, "RGB")
    assert converted is not None
    converted.info["exif"] = im.info.get("exif", b"")
    return converted


def _rgba(im: Image.Image) -> Image.Image:
    """As a browser shows it: 16-bit grey scaled to 8 bits (Pillow's convert would clip), its tRNS grey level
    transparent."""
    if im.mode not in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        return im.convert("RGBA")
    wide = im.convert("I")
    grey = wide.point(lambda v: v * (1 / 257)).convert("L")
    alpha = Image.new("L", im.size, 255)
    transparent = im.info.get("transparency")
    if isinstance(transparent, int):
        alpha.putdata([0 if v == transparent else 255 for v in wide.get_flattened_data()])
    return Image.merge("RGBA", (grey, grey, grey, alpha))


def _coarse(im: Image.Image) -> Image.Image:
    """Both pictures in blocks, about four across: what is compared is the picture (its layout, orientation,
    colours, transparency), not the resampling filter or JPEG's chroma subsampling of single pixels."""
    return im.reduce(max(2, -(-max(im.size) // 4))) if max(im.size) > 1 else im


def _difference(ours: Image.Image, reference: Image.Image, alpha: bool) -> float:
    expected = reference.resize(ours.size, Image.Resampling.BICUBIC)
    if not alpha:
        expected = Image.alpha_composite(Image.new("RGBA", expected.size, "white"), expected)
    mine, expected = _coarse(_rgba(ours)), _coarse(expected)
    # Colours under full transparency are anyone's guess: compare both on mid-grey, and the alpha on its own.
    grey = Image.new("RGBA", expected.size, (128, 128, 128, 255))
    colour = ImageChops.difference(
        Image.alpha_composite(grey, mine).convert("RGB"), Image.alpha_composite(grey, expected).convert("RGB")
    )
    channels = ImageStat.Stat(colour).mean
    if alpha:
        channels.append(ImageStat.Stat(ImageChops.difference(mine.getchannel("A"), expected.getchannel("A"))).mean[0])
    return max(channels)


def check(path: Path) -> str | None:
    """None when the file is handled as it must be; otherwise what went wrong."""
    reference = _reference(path)
    try:
        result = make_thumbnails(path, [SIZE], max_pixels=MAX_PIXELS, extra_formats=EXTRA)
    except ImageRejected as exc:
        if isinstance(reference, Image.Image):
            return f"refused ({exc}) though Pillow decodes it"
        if not re.search(REFUSAL, str(exc)):
            return f"refused without saying why: {exc}"
        return None
    except Exception as exc:
        return f"crashed: {type(exc).__name__}: {exc}"
    if not isinstance(reference, Image.Image):
        return f"made a thumbnail of a file Pillow cannot decode whole ({reference})"
    [thumb] = result.thumbnails
    if (thumb.width, thumb.height) != fit(*reference.size, SIZE):
        return f"{thumb.width}x{thumb.height}, expected {fit(*reference.size, SIZE)} from {reference.size}"
    with Image.open(io.BytesIO(thumb.data)) as ours:
        if ours.size != (thumb.width, thumb.height):
            return f"encoded as {ours.size}, reported {thumb.width}x{thumb.height}"
        ours.load()
        difference = _difference(ours, reference, thumb.format.alpha)
    tolerance = TINY_TOLERANCE if max(ours.size) < TINY else TOLERANCE
    if difference > tolerance:
        return f"not the source's picture: mean difference {difference:.1f} > {tolerance}"
    return None


KINDS = ["JPEG", "PNG", "GIF", "WEBP", "AVIF"]


def test_the_documents_count_the_corpus(corpus):
    """How many files the corpus has, and how many of them are pictures the function reads (docs/formats.md)."""
    files = sum(1 for path in corpus.rglob("*") if path.is_file())
    ours = sum(len(list(_pictures(corpus, kind))) for kind in KINDS)
    command = ".venv/bin/python -m pytest tests/function/picture/test_corpus.py -p no:xdist -k count"
    figures.check("corpus_files", files, "files", f"{files:,}", command)
    figures.check("corpus_pictures", ours, "files", f"{ours:,}", command)


@pytest.mark.parametrize("kind", [*KINDS, "unidentified"])
def test_every_picture_of_the_corpus_is_a_correct_thumbnail_or_a_clean_refusal(corpus, kind):
    paths = list(_pictures(corpus, kind))
    assert len(paths) >= (5 if kind != "unidentified" else 1), f"expected {kind} files in {corpus}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about the broken files; their outcome is what is checked
        problems = {p.relative_to(corpus).as_posix(): why for p in paths if (why := check(p))}
    assert not problems, f"{len(problems)} of {len(paths)} {kind} files:\n" + "\n".join(
        f"  {name}: {why}" for name, why in sorted(problems.items())
    )
