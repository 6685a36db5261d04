"""Where to crop a picture to a box: around its most interesting part (``entropy``) or its ``centre``.

``entropy`` is libvips' ``smartcrop`` measure of the same name: slices are taken off whichever end of the long
side carries less information (the entropy of its grey-level histogram) until the box fits, so a small detailed
subject stays in frame and flat sky, wall or background is what goes.
"""

from __future__ import annotations

from PIL import Image

CROPS = ("entropy", "centre")
_STEPS = 16  # slices per crop: each one at most 1/16 of what has to go, so the search follows the detail closely


def region(im: Image.Image, box: tuple[int, int], how: str = "entropy") -> tuple[int, int, int, int]:
    """The part of ``im`` to keep, (left, top, right, bottom), of the size ``box`` it covers; ``how`` is one of
    CROPS. A region, not a picture, so every frame of an animation is cut the same."""
    width, height = box
    if how == "centre":
        left, top = (im.width - width) // 2, (im.height - height) // 2
        return left, top, left + width, top + height
    if how != "entropy":
        raise ValueError(f"crop must be one of {', '.join(CROPS)}; got {how!r}")
    grey = im.convert("L")
    left, right = _keep(grey, width, horizontal=True)
    top, bottom = _keep(grey, height, horizontal=False)
    return left, top, right, bottom


def _keep(grey: Image.Image, length: int, *, horizontal: bool) -> tuple[int, int]:
    """The start and end along one axis that keep ``length`` pixels, taking the duller end off first."""
    start, end = 0, grey.width if horizontal else grey.height
    step = max(1, -(-(end - length) // _STEPS))
    while end - start > length:
        cut = min(step, end - start - length)
        if horizontal:
            first = grey.crop((start, 0, start + cut, grey.height))
            last = grey.crop((end - cut, 0, end, grey.height))
        else:
            first = grey.crop((0, start, grey.width, start + cut))
            last = grey.crop((0, end - cut, grey.width, end))
        if first.entropy() < last.entropy():
            start += cut
        else:
            end -= cut
    return start, end
