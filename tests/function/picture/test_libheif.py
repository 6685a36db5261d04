"""A HEIF decoded to its YCbCr planes (picture/libheif.py) makes the thumbnails pi-heif's RGB decode makes: the
planes are scaled down first and converted to RGB after, by the matrix libheif hands them in. What the path does not
take (alpha, more than 8 bits, a monochrome picture) is left to pi-heif, decided before anything is decoded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from thumbnailer.errors import ImageRejected
from thumbnailer.picture import cpus, libheif
from thumbnailer.picture.imaging import make_thumbnails

from .. import profiles
from ..images import photo

SIZES = [1024, 512, 256]


def scene(width: int, height: int) -> Image.Image:
    """The test photo with saturated blocks over it: edges where a conversion's rounding and clipping would show."""
    im = photo(width, height)
    rng = np.random.default_rng(7)
    for _ in range(24):
        x, y = int(rng.integers(0, width - 64)), int(rng.integers(0, height - 64))
        colour = tuple(int(c) for c in rng.choice([0, 255], 3))
        im.paste(colour, (x, y, x + int(rng.integers(8, 64)), y + int(rng.integers(8, 64))))
    return im


def heic(im: Image.Image, **options: object) -> bytes:
    buf = io.BytesIO()
    pillow_heif.from_pillow(im).save(buf, quality=90, **options)
    return buf.getvalue()


@pytest.fixture(scope="module")
def iphone_like() -> bytes:
    """Stored 2048x1536 in 12 tiles of 512 with a 320-pixel thumbnail item, Display P3, EXIF orientation 6."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return heic(
        scene(2048, 1536), exif=exif.tobytes(), icc_profile=profiles.display_p3(), tile_size=512, thumbnails=[320]
    )


@pytest.fixture
def taken(monkeypatch) -> list[tuple[int, bool]]:
    """Every decode through libheif.py: the threads it was given, and whether it took the picture."""
    seen: list[tuple[int, bool]] = []
    real = libheif.decoded

    @contextmanager
    def spy(data: bytes, threads: int) -> Iterator[libheif.Planes | None]:
        with real(data, threads) as planes:
            seen.append((threads, planes is not None))
            yield planes

    monkeypatch.setattr(libheif, "decoded", spy)
    return seen


def through_pi_heif(monkeypatch, data: bytes, sizes: list[int], **options: object):
    """The thumbnails as pi-heif's RGB decode makes them (libheif's C API not found: the path before it)."""
    with monkeypatch.context() as patch:
        patch.setattr(libheif, "library", lambda: None)
        return make_thumbnails(io.BytesIO(data), sizes, extra_formats=("heif",), **options)


def differences(a: bytes, b: bytes) -> tuple[float, float]:
    """Mean and 99.9th percentile of the absolute differences of two thumbnails' RGB levels."""
    pa = np.asarray(Image.open(io.BytesIO(a)).convert("RGB"), dtype=int)
    pb = np.asarray(Image.open(io.BytesIO(b)).convert("RGB"), dtype=int)
    assert pa.shape == pb.shape
    d = np.abs(pa - pb)
    return float(d.mean()), float(np.percentile(d, 99.9))


def test_an_iphone_layout_makes_pi_heifs_thumbnails_upright_with_its_profile(monkeypatch, iphone_like, taken):
    planes = make_thumbnails(io.BytesIO(iphone_like), SIZES, extra_formats=("heif",), formats=("png",))
    assert [took for _, took in taken] == [True], "the picture went through its planes"
    before = through_pi_heif(monkeypatch, iphone_like, SIZES, formats=("png",))
    assert (planes.source_width, planes.source_height) == (before.source_width, before.source_height) == (1536, 2048)
    for new, old in zip(planes.thumbnails, before.thumbnails, strict=True):
        assert (new.width, new.height) == (old.width, old.height)
        shown = Image.open(io.BytesIO(new.data))
        assert shown.info.get("icc_profile") == profiles.display_p3(), "the profile is kept"
        red = shown.convert("RGB").getpixel((shown.width - 2, 1))
        assert red[0] > 200 and red[1] < 60, f"upright: the marker is top right, got {red}"
        mean, p999 = differences(new.data, old.data)
        assert mean < 0.5 and p999 <= 12, f"{new.size}: mean {mean:.2f}, 99.9th percentile {p999}"
    assert planes.blurhash and before.blurhash


@pytest.mark.parametrize(
    ("matrix", "full_range"),
    [(1, 0), (1, 1), (6, 0), (9, 1), (7, 1), (8, 1)],
    ids=["BT.709 limited", "BT.709 full", "BT.601 limited", "BT.2020", "SMPTE 240M", "YCgCo"],
)
def test_whatever_matrix_a_files_colour_box_names_the_thumbnails_are_pi_heifs(monkeypatch, taken, matrix, full_range):
    """The file's nclx colour box names the matrix and range; libheif says which the planes it hands over are in
    (for the files pillow-heif's encoder makes, BT.601 full range whatever the box says), and that is what both
    libheif's own RGB conversion and this path convert by."""
    data = heic(
        scene(768, 512), matrix_coefficients=matrix, full_range_flag=full_range, color_primaries=1,
        transfer_characteristics=13,
    )  # fmt: skip
    named = Image.open(io.BytesIO(data), formats=("HEIF",)).info["nclx_profile"]
    assert (named["matrix_coefficients"], named["full_range_flag"]) == (matrix, full_range)
    made = make_thumbnails(io.BytesIO(data), [512, 128], extra_formats=("heif",), formats=("png",))
    assert [took for _, took in taken] == [True]
    before = through_pi_heif(monkeypatch, data, [512, 128], formats=("png",))
    for new, old in zip(made.thumbnails, before.thumbnails, strict=True):
        mean, p999 = differences(new.data, old.data)
        assert mean < 0.5 and p999 <= 12, f"{new.size}: mean {mean:.2f}, 99.9th percentile {p999}"


def test_planes_in_a_matrix_without_a_fixed_kr_and_kb_go_to_pi_heif(monkeypatch, taken):
    data = heic(scene(256, 192))
    monkeypatch.setattr(libheif, "_matrix", lambda lib, image: (8, True))  # YCgCo, as libheif would say
    made = make_thumbnails(io.BytesIO(data), [128], extra_formats=("heif",), formats=("png",))
    assert [took for _, took in taken] == [False]
    before = through_pi_heif(monkeypatch, data, [128], formats=("png",))
    assert made.thumbnails[0].data == before.thumbnails[0].data


def test_the_conversion_is_pillows_jfif_one_for_bt601_full_range():
    rng = np.random.default_rng(3)
    ycc = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    planes = [Image.fromarray(ycc[..., i]) for i in range(3)]
    jfif = np.asarray(Image.merge("YCbCr", planes).convert("RGB"), dtype=int)
    ours = np.asarray(Image.merge("RGB", planes).convert("RGB", matrix=libheif.conversion(6, True)), dtype=int)
    assert np.abs(jfif - ours).max() <= 1


@pytest.mark.parametrize("matrix", sorted(libheif.KR_KB))
def test_the_conversion_follows_h273_for_each_matrix(matrix):
    kr, kb = libheif.KR_KB[matrix]
    m = np.array(libheif.conversion(matrix, True)).reshape(3, 4)
    # Grey stays grey: Cb = Cr = 128 gives R = G = B = Y.
    assert np.allclose(m[:, :3] @ [100, 128, 128] + m[:, 3], [100, 100, 100])
    # Full red (R'=255, G'=B'=0) encodes as Y = 255 Kr, Cr = 128 + 127.5, Cb = 128 - 127.5 Kr / (1 - Kb).
    red = [255 * kr, 128 - 127.5 * kr / (1 - kb), 128 + 127.5]
    assert np.allclose(m[:, :3] @ red + m[:, 3], [255, 0, 0], atol=1e-6)
    limited = np.array(libheif.conversion(matrix, False)).reshape(3, 4)
    assert np.allclose(limited[:, :3] @ [16, 128, 128] + limited[:, 3], [0, 0, 0])
    assert np.allclose(limited[:, :3] @ [235, 128, 128] + limited[:, 3], [255, 255, 255])


def ten_bit() -> bytes:
    wide = np.linspace(0, 65535, 256 * 192 * 3).astype("<u2").reshape(192, 256, 3)
    buf = io.BytesIO()
    pillow_heif.from_bytes("RGB;16", (256, 192), wide.tobytes()).save(buf, quality=90)
    return buf.getvalue()


@pytest.mark.parametrize(
    "picture",
    [
        pytest.param(lambda: heic(photo(256, 192, "RGBA")), id="alpha"),
        pytest.param(lambda: heic(photo(256, 192, "L")), id="monochrome"),
        pytest.param(ten_bit, id="10-bit"),
    ],
)
def test_what_the_path_does_not_take_pi_heif_decodes_with_nothing_decoded_twice(monkeypatch, taken, picture):
    data = picture()
    made = make_thumbnails(io.BytesIO(data), [128], extra_formats=("heif",), formats=("png",))
    assert [took for _, took in taken] == [False], "refused before decoding: pi-heif decodes it"
    before = through_pi_heif(monkeypatch, data, [128], formats=("png",))
    assert made.thumbnails[0].data == before.thumbnails[0].data


@pytest.mark.parametrize(("affinity", "memory_mb", "threads"), [({0, 1}, 10240, 2), ({0, 1}, 1024, 1), ({0}, 10240, 1)])
def test_the_planes_are_decoded_on_as_many_threads_as_the_function_has_cpus(
    monkeypatch, iphone_like, taken, affinity, memory_mb, threads
):
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: affinity)
    make_thumbnails(io.BytesIO(iphone_like), [1024], extra_formats=("heif",), memory_mb=memory_mb)
    assert taken == [(threads, True)]


def test_a_heif_whose_bitstream_is_damaged_is_refused_with_libheifs_reason_as_before(monkeypatch, iphone_like):
    mdat = iphone_like.index(b"mdat")
    damaged = iphone_like[: mdat + 4] + b"\xff" * (len(iphone_like) - mdat - 4)
    with pytest.raises(ImageRejected, match="corrupt or truncated image: Decoder plugin generated an error") as now:
        make_thumbnails(io.BytesIO(damaged), [1024], extra_formats=("heif",))
    with pytest.raises(ImageRejected) as before:
        through_pi_heif(monkeypatch, damaged, [1024])
    assert str(now.value) == str(before.value)


def test_without_libheifs_c_api_pi_heif_decodes_as_before(monkeypatch, iphone_like, taken):
    monkeypatch.setattr(libheif, "library", lambda: None)
    with libheif.decoded(iphone_like, 1) as planes:
        assert planes is None
    made = make_thumbnails(io.BytesIO(iphone_like), [256], extra_formats=("heif",))
    assert (made.source_width, made.source_height) == (1536, 2048)
