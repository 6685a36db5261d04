"""An iPhone's HEIC as phones lay it out (a grid of 512x512 HEVC tiles with a thumbnail item, a Display P3
profile, its orientation in EXIF and as HEIF's rotation) is shown upright with its profile kept, whatever the
number of threads its tiles are decoded on; and that number follows the CPUs the function has (cpus.py)."""

from __future__ import annotations

import io

import pi_heif
import pillow_heif
import pytest
from PIL import Image, ImageChops, ImageStat

from thumbnailer.picture import cpus
from thumbnailer.picture.imaging import make_thumbnails

from .. import profiles
from ..images import photo
from .test_optional_formats import red_corner

P3 = profiles.display_p3()


@pytest.fixture(scope="module")
def grid() -> bytes:
    """Stored 1024x768 (2x2 tiles of 512), EXIF orientation 6: shown 768x1024, the red marker top right."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    pillow_heif.from_pillow(photo(1024, 768)).save(
        buf, quality=70, exif=exif.tobytes(), icc_profile=P3, tile_size=512, thumbnails=[320]
    )
    return buf.getvalue()


def test_the_material_is_laid_out_as_an_iphone_writes_it(grid):
    heif = pi_heif.open_heif(io.BytesIO(grid))
    assert b"grid" in grid[:2048] and heif.info["thumbnails"] == [320], "a grid item and a 320-pixel thumbnail item"
    assert heif.size == (768, 1024), "libheif applies the rotation the file carries"


@pytest.mark.parametrize("affinity", [{0}, {0, 1}], ids=["1 CPU", "2 CPUs"])
def test_tiles_are_decoded_on_as_many_threads_as_cpus(monkeypatch, grid, affinity):
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: affinity)
    pi_heif.options.DECODE_THREADS = 4  # pi-heif's own default
    make_thumbnails(io.BytesIO(grid), [256], extra_formats=("heif",), memory_mb=10240)
    assert pi_heif.options.DECODE_THREADS == len(affinity)
    make_thumbnails(io.BytesIO(grid), [256], extra_formats=("heif",), memory_mb=1024)  # Lambda's share: 0.58 vCPU
    assert pi_heif.options.DECODE_THREADS == 1


def test_it_is_shown_upright_with_its_display_p3_profile_the_same_on_one_thread_as_on_two(monkeypatch, grid):
    made = {}
    for affinity in ({0}, {0, 1}):
        monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid, affinity=affinity: affinity)
        made[len(affinity)] = make_thumbnails(io.BytesIO(grid), [1024, 512, 256], extra_formats=("heif",))
    one, two = made[1], made[2]
    assert (one.source_format, one.source_width, one.source_height) == ("HEIF", 768, 1024)
    for a, b in zip(one.thumbnails, two.thumbnails, strict=True):
        shown_a, shown_b = Image.open(io.BytesIO(a.data)), Image.open(io.BytesIO(b.data))
        assert shown_a.format == "JPEG" and shown_a.size == (a.width, a.height) == (b.width, b.height)
        assert max(a.width, a.height) == int(a.size.label)
        assert red_corner(shown_a) == (1, 0), "turned as the camera meant, once (libheif's rotation, not EXIF's too)"
        assert shown_a.info.get("icc_profile") == P3, "the Display P3 profile is kept"
        assert "exif" not in shown_a.info
        assert max(ImageStat.Stat(ImageChops.difference(shown_a, shown_b)).mean) < 1.0


def test_its_rotation_is_applied_after_the_downscale_not_by_libheif(grid):
    """The copy decoded has no rotation (one byte differs: irot's angle), and turning it as heif.unrotated says shows
    exactly what libheif's own turn shows; a HEIF without a rotation, or with a mirror too, is left to libheif."""
    from thumbnailer.picture import heif

    copy, turn = heif.unrotated(grid)
    assert turn == Image.Transpose.ROTATE_270, "EXIF orientation 6: a quarter turn clockwise to show it"
    assert len(copy) == len(grid) and sum(a != b for a, b in zip(copy, grid, strict=True)) == 1
    pi_heif.register_heif_opener()
    stored, shown = Image.open(io.BytesIO(copy)), Image.open(io.BytesIO(grid))
    assert stored.size == (1024, 768) and shown.size == (768, 1024)
    assert ImageChops.difference(stored.convert("RGB").transpose(turn), shown.convert("RGB")).getbbox() is None
    buf = io.BytesIO()
    pillow_heif.from_pillow(photo(256, 192)).save(buf, quality=70)
    assert heif.unrotated(buf.getvalue()) is None, "no rotation"
    exif = Image.Exif()
    exif[0x0112] = 5  # transposed: a rotation and a mirror, whose order libheif knows
    buf = io.BytesIO()
    pillow_heif.from_pillow(photo(256, 192)).save(buf, quality=70, exif=exif.tobytes())
    assert heif.unrotated(buf.getvalue()) is None
