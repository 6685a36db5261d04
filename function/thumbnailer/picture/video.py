"""A video's poster frame (``extra_formats = ["video"]``): not written yet."""

from __future__ import annotations

DECODE_SECONDS = 30.0


def container(header: bytes) -> str | None:
    return None


def prepare() -> None:
    return None
