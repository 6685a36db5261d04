"""``make demo``'s gallery: build/demo/gallery.html, the thumbnails as a page shows them, and Chromium's screenshot
of it, build/demo/gallery.png.

Each sample picture is a ``<figure>``: a ``<picture>`` with a ``<source>`` for every format the demo wrote of it
(AVIF, then WebP, then the rest, the order a page lists them in) and an ``<img>`` of its longest-edge thumbnail at
the size shown (``SHOWN``), the larger ones in its ``srcset`` for screens of higher density. Under the ``<img>``, its
BlurHash placeholder (the ``blurhash`` metadata the function writes on every thumbnail), decoded here to a tiny PNG
and painted as the ``<img>``'s background: it is what the page shows until the thumbnail has arrived, and it is
taken away once it has (a transparent thumbnail would show it through). Under each figure, every thumbnail's size
and bytes.

Open it with any browser: ``xdg-open build/demo/gallery.html`` (a file: URL; every path in it is relative).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import blurhash
from PIL import Image

from devkit.browsers import screenshot

SHOWN = 256  # the longest edge each picture is shown at, in CSS pixels
PLACEHOLDER = 32  # pixels on the long side of the decoded placeholder; the browser scales it up, blurred
# The order of a <picture>'s sources: the first a browser decodes wins, so the smallest formats come first.
ORDER = {"image/avif": 0, "image/webp": 1, "image/png": 2, "image/jpeg": 3, "image/gif": 4}
WIDTH = 4 * (SHOWN + 48) + 48  # four figures a row
HEADER, LINE = 140, 19  # CSS pixels: the title and the introduction; a line of a caption


@dataclass(frozen=True)
class Thumbnail:
    size: str  # as the module names it: "1024", "256", "128x128"
    path: str  # relative to the gallery
    content_type: str
    width: int
    height: int
    bytes: int

    @property
    def edge(self) -> int | None:
        """The longest edge it was made for; None for a box (a crop, not the same picture at another size)."""
        return int(self.size) if self.size.isdigit() else None


@dataclass(frozen=True)
class Entry:
    name: str  # the sample's file name
    source: str  # its size, "4000x3000", as shown (upright)
    blurhash: str
    thumbnails: list[Thumbnail]  # filled as they are downloaded


def placeholder(hash_: str, width: int, height: int) -> str:
    """The BlurHash as a data: URL of a PNG of at most PLACEHOLDER pixels a side, in the picture's proportions."""
    scale = PLACEHOLDER / max(width, height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    rows = blurhash.decode(hash_, w, h)
    pixels = bytes(max(0, min(255, round(v))) for row in rows for pixel in row for v in pixel[:3])
    buf = io.BytesIO()
    Image.frombytes("RGB", (w, h), pixels).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _figure(entry: Entry) -> str:
    edges = sorted((t for t in entry.thumbnails if t.edge), key=lambda t: (t.edge or 0, ORDER.get(t.content_type, 9)))
    if not edges:
        raise ValueError(f"{entry.name} has no longest-edge thumbnail to show")
    lengths = [t.edge or 0 for t in edges]
    shown_edge = min((n for n in lengths if n >= SHOWN), default=max(lengths))  # the smallest that fills SHOWN
    types = sorted({t.content_type for t in edges}, key=lambda c: ORDER.get(c, 9))
    fallback = types[-1]  # the most widely shown format is the <img>'s own

    def srcset(content_type: str) -> str:
        return ", ".join(f"{html.escape(t.path)} {t.width}w" for t in edges if t.content_type == content_type)

    img = next(t for t in edges if t.edge == shown_edge and t.content_type == fallback)
    scale = min(1.0, SHOWN / max(img.width, img.height))
    width, height = round(img.width * scale), round(img.height * scale)
    sources = "".join(
        f'\n    <source type="{c}" srcset="{srcset(c)}" sizes="{width}px">' for c in types if c != fallback
    )
    background = placeholder(entry.blurhash, img.width, img.height) if entry.blurhash else ""
    style = f"background:url({background}) center/cover no-repeat" if background else ""
    lines = "".join(
        f"<li>{html.escape(t.size)}: {t.width}&times;{t.height} {t.content_type.split('/')[1].upper()}, "
        f"{t.bytes:,} bytes</li>"
        for t in sorted(entry.thumbnails, key=lambda t: (-(t.edge or 0), t.size, ORDER.get(t.content_type, 9)))
    )
    return f"""<figure>
  <picture>{sources}
    <img src="{html.escape(img.path)}" srcset="{srcset(fallback)}" sizes="{width}px" width="{width}"
         height="{height}" alt="{html.escape(entry.name)}" style="{style}" onload="this.style.background='none'">
  </picture>
  <figcaption><b>{html.escape(entry.name)}</b> ({html.escape(entry.source)})
    <ul>{lines}</ul>
    <code title="BlurHash">{html.escape(entry.blurhash)}</code></figcaption>
</figure>"""


def page(entries: Sequence[Entry], title: str = "Thumbnails") -> str:
    figures = "\n".join(_figure(entry) for entry in entries)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width">
<style>
body {{ margin: 24px; font: 13px/1.4 system-ui, sans-serif; color: #222; background: #fff; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, {SHOWN + 32}px); gap: 16px; }}
figure {{ margin: 0; padding: 8px; border: 1px solid #ddd; }}
picture {{ display: flex; align-items: center; justify-content: center; height: {SHOWN}px; }}
img {{ max-width: {SHOWN}px; max-height: {SHOWN}px; }}
ul {{ margin: 4px 0; padding-left: 16px; }}
code {{ font-size: 11px; color: #666; word-break: break-all; }}
</style></head>
<body><h1>{html.escape(title)}</h1>
<p>Each picture as a page would show it: a <code>&lt;picture&gt;</code> of every format written, its BlurHash
placeholder painted until the thumbnail arrives.</p>
<main>
{figures}
</main></body></html>
"""


def write(entries: Sequence[Entry], path: Path, title: str = "Thumbnails") -> Path:
    path.write_text(page(entries, title))
    return path


def height(entries: Sequence[Entry]) -> int:
    """The page's height in a window of WIDTH, four figures a row, with room to spare."""
    rows = [entries[i : i + 4] for i in range(0, len(entries), 4)]
    return HEADER + sum(SHOWN + 48 + LINE * (3 + max(len(e.thumbnails) for e in row)) for row in rows)


def photograph(gallery: Path, out: Path, entries: Sequence[Entry]) -> Image.Image:
    """Chromium's screenshot of the gallery, the whole page."""
    return screenshot("chromium", gallery.resolve().as_uri(), (WIDTH, height(entries)), out)
