"""The BlurHash placeholder: made from the smallest thumbnail, the colours of the picture, the shape of its sides."""

from __future__ import annotations

import blurhash
import pytest
from PIL import Image

from thumbnailer.picture.imaging import make_thumbnails
from thumbnailer.picture.placeholder import blurhash_of

from ..images import encode, photo


def average(hash_: str) -> tuple[int, ...]:
    """The picture's average colour, as BlurHash's first component carries it."""
    pixels = blurhash.decode(hash_, 4, 4)
    flat = [pixel for row in pixels for pixel in row]
    return tuple(round(sum(p[i] for p in flat) / len(flat)) for i in range(3))


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "CMYK"])
def test_a_plain_picture_hashes_to_its_colour_whatever_its_mode(mode):
    picture = Image.new("RGB", (300, 200), (200, 40, 40)).convert(mode)
    expected = picture.convert("RGB").getpixel((0, 0))
    found = average(blurhash_of(picture))
    # BlurHash keeps the average colour to within a few levels (its DC term is quantised to 8 bits per channel
    # in linear light).
    assert all(abs(a - b) <= 12 for a, b in zip(found, expected, strict=True)), (found, expected)


def test_transparency_shows_over_white_and_the_long_side_gets_more_components():
    clear = Image.new("RGBA", (100, 400), (0, 0, 0, 0))
    hash_ = blurhash_of(clear)
    assert min(average(hash_)) >= 245, "white, not black"
    assert blurhash.components(hash_) == (3, 4), "portrait: three across, four down"
    assert blurhash.components(blurhash_of(Image.new("RGB", (400, 100)))) == (4, 3)


def test_every_result_of_the_core_carries_the_placeholder_of_its_smallest_size(tmp_path):
    path = tmp_path / "p.png"
    path.write_bytes(encode(photo(640, 480), "PNG"))
    result = make_thumbnails(path, ["256", "32x32"])
    smallest = Image.open(__import__("io").BytesIO(result.thumbnails[1].data))
    assert result.blurhash == blurhash_of(smallest.convert("RGB"))
