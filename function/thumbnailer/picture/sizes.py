"""What a thumbnail size means: a longest edge (``256``) or a box filled by cropping (``200x200``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_EDGE = 10_000
_BOX = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


@dataclass(frozen=True, order=True)
class Size:
    width: int  # the longest edge, or the box's width
    height: int  # 0 for a longest edge, or the box's height

    @property
    def crop(self) -> bool:
        return self.height > 0

    @property
    def label(self) -> str:
        """How it is written in THUMBNAIL_SIZES, and the folder of its thumbnails' keys."""
        return f"{self.width}x{self.height}" if self.crop else str(self.width)

    def __str__(self) -> str:
        return self.label

    def target(self, width: int, height: int) -> tuple[tuple[int, int], tuple[int, int] | None]:
        """For an upright picture of ``width`` x ``height``: the size to scale it to, and the box to crop from that
        (None for a longest edge). Never upscaled: a picture smaller than the box is cropped to the box's shape."""
        if not self.crop:
            return fit(width, height, self.width), None
        scale = max(self.width / width, self.height / height)
        if scale >= 1:  # not larger than the box on some side: the largest region of the box's shape, unscaled
            shape = self.width / self.height
            return (width, height), (
                min(width, max(1, round(height * shape))),
                min(height, max(1, round(width / shape))),
            )
        return (max(self.width, round(width * scale)), max(self.height, round(height * scale))), (
            self.width,
            self.height,
        )


def fit(width: int, height: int, longest_edge: int) -> tuple[int, int]:
    """The size of a picture scaled so its longest edge is ``longest_edge``; never upscaled."""
    longest = max(width, height)
    if longest <= longest_edge:
        return width, height
    scale = longest_edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def parse_size(value: Size | int | str) -> Size:
    """``256`` or ``"256"``: a longest edge; ``"200x200"``: a box. Each side 1 to 10000; ValueError otherwise."""
    if isinstance(value, Size):
        return value
    text = str(value).strip()
    box = _BOX.match(text)
    if box:
        width, height = int(box[1]), int(box[2])
    elif text.isdigit():
        width, height = int(text), 0
    else:
        raise ValueError(f"{value!r} is neither a longest edge (256) nor a box (200x200)")
    if not 1 <= width <= MAX_EDGE or not (height == 0 and not box or 1 <= height <= MAX_EDGE):
        raise ValueError(f"{value!r}: every side must be between 1 and {MAX_EDGE} pixels")
    return Size(width, height)
