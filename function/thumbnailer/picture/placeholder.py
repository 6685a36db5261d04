"""The BlurHash placeholder of a picture: a 20-30 character string an application paints while the image loads.

Made from the smallest thumbnail (already decoded and scaled), reduced to at most 32 pixels a side: the encoder
(the ``blurhash`` package, pure Python) costs about 2-6 ms there, against seconds on a full picture. Four
components along the long side and three across, as BlurHash's authors suggest.
"""

from __future__ import annotations

import blurhash
from PIL import Image

EDGE = 32  # pixels on the long side the hash is computed from
COMPONENTS = (4, 3)  # (long side, short side)


def blurhash_of(picture: Image.Image) -> str:
    """The BlurHash of ``picture`` (any mode; transparency is shown over white, as a page would)."""
    small = picture.copy() if picture.mode in ("RGB", "RGBA", "LA", "L") else picture.convert("RGBA")
    small.thumbnail((EDGE, EDGE), Image.Resampling.BOX)
    if small.mode in ("RGBA", "LA"):
        rgba = small.convert("RGBA")
        small = Image.new("RGB", rgba.size, (255, 255, 255))
        small.paste(rgba, mask=rgba.getchannel("A"))
    rgb = small.convert("RGB")
    pixels = list(rgb.get_flattened_data())
    width = rgb.width
    rows = [pixels[y * width : (y + 1) * width] for y in range(rgb.height)]
    along, across = COMPONENTS
    x, y = (along, across) if rgb.width >= rgb.height else (across, along)
    return str(blurhash.encode(rows, x, y))
