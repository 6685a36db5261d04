"""examples/cdn's ``<picture>``, exactly as its README writes it, in Chromium and Firefox, against thumbnails the
function wrote to localaws.

The function's own pipeline (thumbnailer.pipeline.process, with the settings examples/cdn gives the module:
AVIF, WebP and JPEG at 512 and 1024, its Cache-Control) makes the thumbnails of an upload and writes them to a
bucket on a fresh localaws; localaws serves them over plain HTTP, path-style, with the Content-Type and
Cache-Control they were written with. The README's markup is taken from the README itself (so it cannot rot), its
CloudFront domain pointed at the bucket, and shown at one and at two device pixels a CSS pixel. Each browser
reports the source it chose (``currentSrc``) and the sizes it shows; both take the AVIF of the density asked,
shown at the <img>'s width and height, the intrinsic size of the 1x thumbnail.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from devkit.endpoint import client, localaws
from devkit.images import scene
from thumbnailer.aws.events import parse_event
from thumbnailer.pipeline import process
from thumbnailer.settings import load_settings

from . import pictures
from .browsers import BROWSERS, HOLD, Site, screenshot, serving
from .test_thumbnails import BOUND

pytestmark = pytest.mark.xdist_group("browsers")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cdn"
CDN = "https://dxxxx.cloudfront.net/"
SOURCE, THUMBNAILS, KEY = "uploads-bucket", "thumbnails-bucket", "uploads/cat.jpg"
CACHE_CONTROL = "public, max-age=86400, stale-while-revalidate=86400"


def readme_markup() -> str:
    """The README's ```html block: the <picture> a page writes."""
    blocks = re.findall(r"```html\n(.*?)```", (EXAMPLE / "README.md").read_text(), re.S)
    assert len(blocks) == 1 and "<picture>" in blocks[0], "examples/cdn/README.md has one ```html block, a <picture>"
    return blocks[0]


def test_the_settings_here_are_the_examples():
    """What this file gives the function is what examples/cdn gives the module."""
    main = (EXAMPLE / "main.tf").read_text()
    assert 'output_formats = ["avif", "webp", "jpeg"]' in main
    assert f'cache_control = "{CACHE_CONTROL}"' in main
    assert 'thumbnails_prefix = "thumbnails/"' in main


@pytest.fixture(scope="module")
def bucket(tmp_path_factory) -> Iterator[str]:
    """localaws with the cat's thumbnails written by the function's pipeline; the bucket's URL."""
    directory = tmp_path_factory.mktemp("picture-markup")
    with localaws(directory / "localaws.log") as endpoint:
        s3 = client(endpoint, "s3")
        for name in (SOURCE, THUMBNAILS):
            s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=SOURCE, Key=KEY, Body=pictures.encode(scene(1024, 768, seed=7), "JPEG", quality=92))
        settings = load_settings(
            {
                "DESTINATION_BUCKET": THUMBNAILS,
                "DESTINATION_PREFIX": "thumbnails/",
                "THUMBNAIL_SIZES": "512,1024",
                "OUTPUT_FORMATS": "avif,webp,jpeg",
                "EXTRA_FORMATS": "avif",
                "CACHE_CONTROL": CACHE_CONTROL,
            }
        )
        event = json.loads((ROOT / "events" / "s3-put.json").read_text())
        record = event["Records"][0]
        record["s3"]["bucket"].update(name=SOURCE, arn=f"arn:aws:s3:::{SOURCE}")
        record["s3"]["object"]["key"] = KEY
        [result] = process(parse_event(event), settings, s3, "browser-test", directory)
        [(_, outcome)] = result.outcomes
        assert outcome.status == "processed" and len(outcome.thumbnails or []) == 6, outcome
        # localaws has no CloudFront: a public-read grant stands in for the distribution's s3:GetObject, so the
        # browsers read the objects themselves, with the headers the function wrote.
        for key in outcome.thumbnails or []:
            s3.put_object_acl(Bucket=THUMBNAILS, Key=key, ACL="public-read")
        yield f"{endpoint}/{THUMBNAILS}/"


def test_localaws_serves_each_thumbnail_with_the_headers_the_function_wrote(bucket):
    for suffix, content_type in ((".avif", "image/avif"), (".webp", "image/webp"), (".jpg", "image/jpeg")):
        with urllib.request.urlopen(f"{bucket}thumbnails/512/{KEY}{suffix}") as response:
            assert response.headers["Content-Type"] == content_type
            assert response.headers["Cache-Control"] == CACHE_CONTROL


_SCRIPT = """<script>
(async () => {
  const img = document.querySelector("picture img");
  try { await img.decode(); } catch (e) {}
  const shown = img.getBoundingClientRect();
  await fetch("/report", {method: "POST", body: JSON.stringify({
    currentSrc: img.currentSrc, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
    shownWidth: shown.width, shownHeight: shown.height, left: shown.left, top: shown.top})});
})().finally(() => fetch("/done"));
</script>"""


def _show(browser: str, bucket: str, scale: int, out: Path) -> tuple[dict, Image.Image]:
    markup = readme_markup().replace(CDN, bucket)
    page = f"<!doctype html><html><body style='margin:0;background:#fff'>{markup}{HOLD}{_SCRIPT}</body></html>"
    with serving(Site()) as site:
        site.add("index.html", page.encode(), "text/html; charset=utf-8")
        shot = screenshot(browser, f"{site.url}/index.html", (600, 400), out, scale)
        assert site.reports, f"{browser}'s page reported nothing"
        return site.reports[0], shot


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("browser", BROWSERS)
def test_each_browser_takes_the_avif_of_its_density_at_the_img_size(browser, scale, bucket, tmp_path):
    report, shot = _show(browser, bucket, scale, tmp_path / f"{browser}@{scale}x.png")
    size = 512 * scale
    assert report["currentSrc"] == f"{bucket}thumbnails/{size}/{KEY}.avif", report
    assert (report["naturalWidth"], report["naturalHeight"]) == (512, 384), report  # the 2x at its density
    assert (report["shownWidth"], report["shownHeight"]) == (512, 384), report
    left, top = round(report["left"]), round(report["top"])
    s = shot.width // 600  # Firefox draws its screenshot at one pixel a CSS pixel whatever the scale
    shown = shot.crop((left * s, top * s, (left + 512) * s, (top + 384) * s))
    expected = scene(1024, 768, seed=7).resize(shown.size, Image.Resampling.BOX)
    assert pictures.difference(shown, expected) <= BOUND, f"{browser} at {scale}x: see {tmp_path}"


def test_the_readme_markup_names_every_format_the_example_writes():
    markup = readme_markup()
    for suffix, content_type in ((".avif", "image/avif"), (".webp", "image/webp")):
        assert f'type="{content_type}"' in markup and f"cat.jpg{suffix}" in markup
    assert re.search(r'<img src="[^"]+/512/uploads/cat\.jpg\.jpg"', markup)
    assert 'width="512" height="384"' in markup
