"""The function's configuration: environment variables read once into a frozen dataclass."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

OUTPUT_FORMATS = ("auto", "jpeg", "png", "webp")
MAX_THUMBNAIL_SIZE = 10_000
# Pillow refuses pictures above twice its MAX_IMAGE_PIXELS (2 x 89,478,485) whatever we allow.
PILLOW_PIXEL_LIMIT = 178_956_970


class ConfigError(ValueError):
    """A configuration variable is missing or has a value the function cannot use."""


@dataclass(frozen=True)
class Settings:
    destination_bucket: str
    destination_prefix: str = "thumbnails/"
    sizes: tuple[int, ...] = (256,)  # longest edge in pixels, largest first
    output_format: str = "auto"
    quality: int = 85
    max_image_pixels: int = 50_000_000
    delete_thumbnails: bool = True  # ObjectRemoved / LifecycleExpiration / "Object Deleted" remove the thumbnails


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number between {low} and {high}; got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}; got {value}.")
    return value


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise ConfigError(f"{name} must be true or false; got {raw!r}.")
    return raw == "true"


def _sizes(environ: Mapping[str, str]) -> tuple[int, ...]:
    raw = environ.get("THUMBNAIL_SIZES", "").strip() or "256"
    sizes: set[int] = set()
    for part in raw.split(","):
        try:
            size = int(part.strip())
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_THUMBNAIL_SIZE:
            raise ConfigError(
                "THUMBNAIL_SIZES must be a comma-separated list of whole numbers between 1 and "
                f"{MAX_THUMBNAIL_SIZE}; got {raw!r}."
            )
        sizes.add(size)
    return tuple(sorted(sizes, reverse=True))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the configuration; every error names the variable and the value."""
    env = os.environ if environ is None else environ
    bucket = env.get("DESTINATION_BUCKET", "").strip()
    if not bucket:
        raise ConfigError("DESTINATION_BUCKET must name the bucket thumbnails are written to; it is not set.")
    output_format = (env.get("OUTPUT_FORMAT", "").strip() or "auto").lower()
    if output_format not in OUTPUT_FORMATS:
        raise ConfigError(f"OUTPUT_FORMAT must be one of {', '.join(OUTPUT_FORMATS)}; got {output_format!r}.")
    return Settings(
        destination_bucket=bucket,
        destination_prefix=env.get("DESTINATION_PREFIX", "thumbnails/"),
        sizes=_sizes(env),
        output_format=output_format,
        quality=_int(env, "QUALITY", 85, 1, 95),
        max_image_pixels=_int(env, "MAX_IMAGE_PIXELS", 50_000_000, 1, PILLOW_PIXEL_LIMIT),
        delete_thumbnails=_bool(env, "DELETE_THUMBNAILS", True),
    )
