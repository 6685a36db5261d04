"""make demo's gallery (devkit/gallery.py): the page a person opens, and what Chromium shows of it."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from devkit import gallery
from devkit.browsers import dump_dom
from devkit.images import scene
from thumbnailer.picture.imaging import make_thumbnails

pytestmark = pytest.mark.xdist_group("browsers")  # Chromium runs one at a time: 2 cores

SIZES = ("512", "256", "128x128")
FORMATS = ("avif", "webp", "jpeg")


def _entry(directory: Path, name: str, picture: Image.Image, formats: tuple[str, ...], write: bool = True):
    source = io.BytesIO()
    picture.save(source, "PNG")
    result = make_thumbnails(source, list(SIZES), formats=formats)
    thumbnails = []
    for thumb in result.thumbnails:
        path = f"thumbnails/{thumb.size}/{name}{thumb.format.extension}"
        if write:
            (directory / path).parent.mkdir(parents=True, exist_ok=True)
            (directory / path).write_bytes(thumb.data)
        thumbnails.append(
            gallery.Thumbnail(
                str(thumb.size), path, thumb.format.content_type, thumb.width, thumb.height, len(thumb.data)
            )
        )
    return gallery.Entry(name, f"{picture.width}x{picture.height}", result.blurhash, thumbnails), result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gallery")
    lake, made = _entry(directory, "lake.png", scene(800, 600, seed=3), FORMATS)
    hills, _ = _entry(directory, "hills.png", scene(600, 800, seed=4), FORMATS, write=False)  # never arrives
    page = gallery.write([lake, hills], directory / "gallery.html", "a test gallery")
    return directory, page, made, [lake, hills]


def test_each_picture_is_a_picture_element_of_every_format_smallest_first(built):
    _, page, _, _ = built
    text = page.read_text()
    figure = text.split("<figure>")[1]
    sources = re.findall(r'<source type="([^"]+)" srcset="([^"]+)"', figure)
    assert [t for t, _ in sources] == ["image/avif", "image/webp"]
    assert (
        sources[0][1] == "thumbnails/512/lake.png.avif 512w, thumbnails/256/lake.png.avif 256w"
        or sources[0][1] == "thumbnails/256/lake.png.avif 256w, thumbnails/512/lake.png.avif 512w"
    )
    assert 'src="thumbnails/256/lake.png.jpg"' in figure and 'width="256"' in figure and 'height="192"' in figure
    assert "128x128" not in sources[0][1], "a box is another crop, not the picture at another size"
    assert re.search(r'style="background:url\(data:image/png;base64,[A-Za-z0-9+/=]+\)', figure)
    assert re.search(r"<li>512: 512&times;384 AVIF, [\d,]+ bytes</li>", figure)
    assert "<li>128x128: 128&times;128 JPEG," in figure


def test_the_placeholder_is_the_blurhash_in_the_pictures_proportions(built):
    _, _, made, _ = built
    url = gallery.placeholder(made.blurhash, 800, 600)
    small = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert small.size == (32, 24)
    thumb = Image.open(io.BytesIO(made.thumbnails[-1].data)).convert("RGB")  # the smallest: 128x128
    assert np.abs(np.asarray(small, float).mean((0, 1)) - np.asarray(thumb, float).mean((0, 1))).max() < 20


_RECTS = """<script>
addEventListener("load", () => document.body.insertAdjacentHTML("beforeend", "<pre id=rects>" + JSON.stringify(
  [...document.querySelectorAll("figure img")].map(i => {const r = i.getBoundingClientRect();
    return {alt: i.alt, x: r.x, y: r.y, w: r.width, h: r.height, src: i.currentSrc}})) + "</pre>"));
</script>"""


def test_chromium_shows_each_thumbnail_and_the_placeholder_of_one_that_never_arrives(built):
    directory, page, made, _ = built
    probe = directory / "probe.html"
    probe.write_text(page.read_text().replace("</body>", _RECTS + "</body>"))
    entries = built[3]
    window = (gallery.WIDTH, gallery.height(entries))
    dom = dump_dom(probe.as_uri(), window)
    rects = {r["alt"]: r for r in json.loads(re.search(r"<pre id=\"rects\">(.*?)</pre>", dom)[1])}
    shot = gallery.photograph(page, directory / "gallery.png", entries)
    assert shot.size == window

    def region(alt: str) -> Image.Image:
        r = rects[alt]
        return shot.crop((round(r["x"]), round(r["y"]), round(r["x"] + r["w"]), round(r["y"] + r["h"])))

    def far(a: Image.Image, b: Image.Image) -> float:
        blocks = (a.width // 8, a.height // 8)
        x, y = (np.asarray(i.convert("RGB").resize(blocks, Image.Resampling.BOX), float) for i in (a, b))
        return float(np.abs(x - y).mean())

    assert rects["lake.png"]["src"].endswith("/thumbnails/256/lake.png.avif"), rects
    lake = region("lake.png")
    assert lake.size == (256, 192)
    shown = next(t for t in made.thumbnails if t.width == 256 and t.format.name == "avif")
    assert far(lake, Image.open(io.BytesIO(shown.data))) <= 4
    hills = region("hills.png")
    placeholder = gallery.placeholder(_hash(page, "hills.png"), 600, 800)
    painted = Image.open(io.BytesIO(base64.b64decode(placeholder.split(",", 1)[1]))).resize(hills.size)
    assert far(hills, painted) <= 6, "where a thumbnail never arrives, its placeholder is what is shown"
    assert (directory / "gallery.png").is_file()


def _hash(page: Path, name: str) -> str:
    figure = next(f for f in page.read_text().split("<figure>") if f'alt="{name}"' in f)
    return re.search(r'<code title="BlurHash">([^<]+)</code>', figure)[1]
