"""A picture that would not fit the function's memory is refused before it is decoded, and one that fits is
thumbnailed under the limit: each case runs in a process of its own, whose peak (VmHWM) is read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from thumbnailer.errors import ImageRejected
from thumbnailer.picture import memory
from thumbnailer.picture.imaging import check_header

from ..images import encode, png_bomb

FUNCTION = Path(__file__).resolve().parents[3] / "function"
MEMORY_MB = 256  # the function's memory_size in these cases: 128 MB for a picture once the runtime has its own
PILLOW_LIMIT = 178_956_970

CHILD = """
import json, sys
from pathlib import Path
from thumbnailer.picture.imaging import make_thumbnails
from thumbnailer.errors import ImageRejected
path, memory_mb, max_pixels = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    result = make_thumbnails(path, [1024, 256], max_pixels=max_pixels, memory_mb=memory_mb)
    outcome = [f"{t.width}x{t.height}" for t in result.thumbnails]
except ImageRejected as exc:
    outcome = str(exc)
status = Path("/proc/self/status").read_text()
peak_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
print(json.dumps({"outcome": outcome, "peak_mb": peak_kib / 1024}))
"""


def flat(mode: str, size: tuple[int, int]) -> Image.Image:
    """A picture that compresses to almost nothing: large dimensions in a small file."""
    colour = {"L": 90, "LA": (90, 128), "RGB": (90, 120, 150), "RGBA": (90, 120, 150, 128)}[mode]
    im = Image.new(mode, size, colour)
    im.paste(Image.new(mode, (size[0] // 3, size[1] // 3), colour if mode == "L" else colour[::-1]), (10, 10))
    return im


# (name, bytes, refused): each just over or well under what 128 MB can decode at the measured cost and margin.
CASES = [
    ("jpeg-16mp", lambda: encode(flat("RGB", (5000, 3200)), "JPEG", quality=80), True),
    ("jpeg-8mp", lambda: encode(flat("RGB", (4000, 2000)), "JPEG", quality=80), False),
    ("webp-rgb-6mp", lambda: encode(flat("RGB", (3000, 2000)), "WEBP", quality=80), True),
    ("webp-rgba-3mp", lambda: encode(flat("RGBA", (2000, 1500)), "WEBP", quality=80), False),
    ("png-la-9mp", lambda: encode(flat("LA", (3000, 3000)), "PNG"), True),
    ("png-la-4mp", lambda: encode(flat("LA", (2000, 2000)), "PNG"), False),
    ("png-rgba-13mp", lambda: encode(flat("RGBA", (4000, 3200)), "PNG"), True),
    ("png-header-144mp", lambda: png_bomb(12_000, 12_000), True),  # a header alone: never decoded
]


@pytest.mark.parametrize("name, make, refused", CASES, ids=[c[0] for c in CASES])
def test_a_picture_is_refused_or_thumbnailed_within_the_functions_memory(tmp_path, name, make, refused):
    path = tmp_path / name
    path.write_bytes(make())
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(MEMORY_MB), str(PILLOW_LIMIT)],
        env={**os.environ, "PYTHONPATH": str(FUNCTION)},
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    if refused:
        assert f"more than the function's memory_size of {MEMORY_MB} MB: raise memory_size" in report["outcome"]
    else:
        assert isinstance(report["outcome"], list) and len(report["outcome"]) == 2, report
    assert report["peak_mb"] < MEMORY_MB, f"{name} peaked at {report['peak_mb']:.0f} MB"


def test_the_header_alone_refuses_what_would_not_fit():
    header = png_bomb(12_000, 12_000)[:64]
    with pytest.raises(ImageRejected, match="needs about 359 MB to thumbnail"):
        check_header(header, PILLOW_LIMIT, memory_mb=MEMORY_MB)
    check_header(header, PILLOW_LIMIT)  # no memory given: the pixel limit alone decides


def test_costs_follow_what_a_decode_widens_to():
    assert memory.bytes_per_pixel("PNG", "P", transparent=True) == memory.bytes_per_pixel("PNG", "RGBA")
    assert (
        memory.bytes_per_pixel("WEBP", "RGB")
        > memory.bytes_per_pixel("PNG", "RGBA")
        > memory.bytes_per_pixel("JPEG", "RGB")
    )
    assert memory.bytes_per_pixel("PNG", "CMYK") == max(
        memory.bytes_per_pixel("PNG", m) for m in ("1", "L", "P", "RGB", "RGBA", "I;16", "LA", "PA")
    ), "a mode not measured costs as the dearest"
    assert memory.largest_jpeg(1024) == 104_391_566


def test_docs_security_quotes_the_table_the_function_uses():
    """docs/security.md's "Memory: what a picture costs" is memory.py's table and what follows from it."""
    text = (Path(__file__).parents[3] / "docs" / "security.md").read_text()
    rows = {
        "JPEG": [memory.bytes_per_pixel("JPEG", "RGB")],
        "HEIF / AVIF": [memory.bytes_per_pixel("HEIF", "RGB"), memory.bytes_per_pixel("AVIF", "RGB")],
        "WebP": [memory.bytes_per_pixel("WEBP", "RGB")],
        "PNG, GIF": [memory.bytes_per_pixel("PNG", mode) for mode in ("L", "P", "RGBA", "I;16", "LA")],
    }
    for label, values in rows.items():
        cell = " / ".join(f"{value:g}" for value in values)
        assert any(line.startswith(f"| {label}") and line.endswith(f"| {cell} |") for line in text.splitlines()), (
            f"docs/security.md: the {label} row should read {cell} (function/thumbnailer/picture/memory.py)"
        )
    text = " ".join(text.split())  # the sentences, whatever their line breaks
    assert f"a {memory.MARGIN * 100 - 100:.0f}% margin and {memory.RUNTIME_MB} MB for the runtime" in text
    assert f"about {memory.largest_jpeg(1024) // 1_000_000} million pixels at 1024 MB" in text
    assert f"178,956,970, needs {memory.needed_mb('JPEG', 'RGB', 178_956_970):,.0f} MB" in text
    assert f"RGBA WebP needs about {memory.needed_mb('WEBP', 'RGBA', 50_000_000) / 1000:.1f} GB" in text
