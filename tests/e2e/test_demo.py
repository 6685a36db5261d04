"""`make demo DATABASE=1`, run as a user runs it: it exits 0 and prints each sample picture's catalogue rows
(size, width, height, BlurHash) from the README's query, with a private MariaDB it starts and stops itself; and it
leaves the gallery page, every sample with its placeholder, and Chromium's screenshot of it."""

from __future__ import annotations

import re
import subprocess

import pytest

from devkit.images import SAMPLES
from devkit.stack import ROOT

pytestmark = pytest.mark.e2e


def test_make_demo_database_prints_each_pictures_rows():
    done = subprocess.run(["make", "demo", "DATABASE=1"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    out = done.stdout
    pictures = list(SAMPLES)  # the names of the demo's sample pictures (devkit/images.py makes them)
    assert "WHERE source_id = UNHEX(SHA2(CONCAT(%s, '/', %s), 256))" in out, "the README's query, printed"
    for picture in pictures:
        block = re.search(rf"/uploads/{re.escape(picture)}: (\d+) rows\n((?:      .*\n)+)", out)
        assert block, f"no rows printed for {picture}"
        assert block.group(1) == "3"
        header, *rows = block.group(2).splitlines()
        assert header.split() == ["size", "width", "height", "blurhash"]
        assert sorted(row.split()[0] for row in rows) == ["1024", "128x128", "256"]
        assert all(re.fullmatch(r"\S+\s+\d+\s+\d+\s+\S{6,}", row.strip()) for row in rows), rows
    assert "password" in out and '"password": "…"' in out, "the secret is shown without its password"
    assert "Done." in out
    demo = ROOT / "build" / "demo"
    page = (demo / "gallery.html").read_text()
    for picture in pictures:
        assert f'alt="{picture}"' in page, f"{picture} is not in the gallery"
    assert page.count("background:url(data:image/png;base64,") == len(pictures), "a placeholder each"
    assert (demo / "gallery.png").stat().st_size > 10_000, "Chromium's screenshot of the gallery"
