"""A HEIF's thumbnail item is decoded instead of the picture only when every size fits in it and it is as good
(picture/heif.py): never for a size larger than it, never with another colour profile."""

from __future__ import annotations

import io

import pi_heif
import pillow_heif
import pytest
from PIL import Image

from thumbnailer.picture import heif
from thumbnailer.picture.imaging import make_thumbnails

from .. import profiles
from ..images import photo
from .test_optional_formats import red_corner


def phone_heic(icc: bytes | None = None) -> bytes:
    """Stored 1024x768, EXIF orientation 6 (shown 768x1024), with a 320-pixel thumbnail item (240x320 shown).

    pillow-heif's encoder gives the thumbnail item no colour property of its own (an iPhone gives it the picture's):
    the untagged one has none on the picture either, so the two are alike, as in an iPhone's file."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {"save_nclx_profile": False}
    pillow_heif.from_pillow(photo(1024, 768)).save(buf, quality=60, exif=exif.tobytes(), thumbnails=[320], **options)
    return buf.getvalue()


@pytest.fixture(scope="module")
def untagged() -> bytes:
    return phone_heic()


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int] | None]:
    """What heif.thumbnail gave for each picture: the thumbnail's size, or None (the picture was decoded)."""
    seen: list[tuple[int, int] | None] = []
    original = heif.thumbnail

    def spy(im, data, needed):
        small = original(im, data, needed)
        seen.append(None if small is None else small.size)
        return small

    monkeypatch.setattr(heif, "thumbnail", spy)
    return seen


@pytest.mark.parametrize(
    "sizes, used",
    [
        (["256", "128"], True),
        (["320"], True),  # 240x320: exactly the thumbnail's size
        (["321"], False),  # one pixel more than it has
        (["1024", "256"], False),  # the largest size decides: the picture is decoded, and 256 made from it
        (["300x300"], False),  # a box of 300 needs 300 across the picture's 768: 400 down, more than 320
        (["200x200", "128"], True),
    ],
)
def test_the_thumbnail_item_only_when_every_size_fits_in_it(untagged, decoded, sizes, used):
    result = make_thumbnails(io.BytesIO(untagged), sizes, extra_formats=("heif",))
    assert (result.source_width, result.source_height) == (768, 1024), "the picture's own size, whichever was decoded"
    if used:
        assert decoded == [(240, 320)]
    else:
        assert decoded in ([], [None])
    for thumb in result.thumbnails:
        shown = Image.open(io.BytesIO(thumb.data))
        assert shown.size == (thumb.width, thumb.height)
        if not thumb.size.crop:  # (a box may crop the marker away)
            assert red_corner(shown) == (1, 0), "upright, turned once"
            assert max(shown.size) == thumb.size.width and abs(shown.size[0] * 4 - shown.size[1] * 3) <= 4


def test_a_thumbnail_item_with_another_colour_profile_is_not_used(decoded, untagged):
    # pillow-heif's encoder writes the thumbnail without the picture's profile: with it, the Display P3 picture's
    # thumbnail would be taken as sRGB, so the picture itself is decoded, and its profile kept. The same for a
    # picture whose colour is said by nclx (sRGB, full range) where its thumbnail says nothing.
    p3 = profiles.display_p3()
    result = make_thumbnails(io.BytesIO(phone_heic(p3)), ["128"], extra_formats=("heif",))
    assert decoded == [None]
    assert Image.open(io.BytesIO(result.thumbnails[0].data)).info.get("icc_profile") == p3
    exif = Image.Exif()
    buf = io.BytesIO()
    pillow_heif.from_pillow(photo(1024, 768)).save(buf, quality=60, exif=exif.tobytes(), thumbnails=[320])
    make_thumbnails(io.BytesIO(buf.getvalue()), ["128"], extra_formats=("heif",))
    assert decoded == [None, None]


def test_a_file_without_a_thumbnail_item_gives_no_copy():
    buf = io.BytesIO()
    pillow_heif.from_pillow(photo(320, 240)).save(buf, quality=60)
    assert list(heif.as_primary(buf.getvalue())) == []
    assert list(heif.as_primary(b"\0\0\0\x10ftypheic\0\0\0\0")) == [], "no meta box"


def test_the_gap_pi_heif_would_close():
    assert not hasattr(pi_heif.HeifImage, "get_thumbnail"), (
        "pi-heif can decode a thumbnail itself now: use it (and draft()) in picture/heif.py instead of as_primary's "
        "copy of the file"
    )
