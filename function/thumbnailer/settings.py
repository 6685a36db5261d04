"""The function's configuration: environment variables read once into a frozen dataclass."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .errors import ConfigError
from .picture.colour import POLICIES
from .picture.crop import CROPS
from .picture.formats import OPTIONAL_FORMATS, OUTPUTS
from .picture.imaging import ANIMATION_MAX_FRAMES, ANIMATION_MAX_PIXELS
from .picture.previews import SOURCES
from .picture.sizes import MAX_EDGE, Size, parse_size

FORMAT_CHOICES = ("auto", *OUTPUTS)  # OUTPUT_FORMAT; OUTPUT_FORMATS lists OUTPUTS
DISPOSITIONS = ("inline", "attachment", "none")
# Storage classes a thumbnail can be read from at once (no restore): the archive classes are refused.
STORAGE_CLASSES = ("STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR")
# The metadata the function writes itself (a preview's too: a PDF's pages and page size, a video's duration and
# poster time, picture/previews.py): COPY_METADATA cannot name these.
OWN_METADATA = (
    *("source-bucket", "source-key", "source-etag", "source-version-id", "source-digest", "blurhash"),
    *("page-count", "page-width", "page-height", "duration", "poster-time"),
)
_METADATA_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,1024}$")
MAX_TAGS = 10  # S3's limit for one object
# Pillow refuses pictures above twice its MAX_IMAGE_PIXELS (2 x 89,478,485) whatever we allow.
PILLOW_PIXEL_LIMIT = 178_956_970
_TABLE = re.compile(r"^[A-Za-z0-9_]{1,48}$")  # room for the "_migrations" table beside it (64 characters)
_SECRET_ARN = re.compile(r"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$")


@dataclass(frozen=True)
class Settings:
    destination_bucket: str
    destination_prefix: str = "thumbnails/"
    sizes: tuple[Size, ...] = (Size(256, 0),)  # longest edges and boxes, largest first
    output_format: str = "auto"
    output_formats: tuple[str, ...] = ()  # every size in each; keys then always carry the format's extension
    colour: str = "keep"  # keep: a tagged picture keeps its profile; srgb: converted to sRGB, no profile written
    jpeg_progressive: bool = False
    cache_control: str = ""  # Cache-Control of every thumbnail; "": none
    content_disposition: str = "inline"  # inline or attachment, with the file name; none: no header
    copy_metadata: tuple[str, ...] = ()  # the source's user metadata carried over
    storage_class: str = "STANDARD"
    tags: tuple[tuple[str, str], ...] = ()  # object tags of every thumbnail
    quality: int = 85
    max_image_pixels: int = 50_000_000
    delete_thumbnails: bool = True  # ObjectRemoved / LifecycleExpiration / "Object Deleted" remove the thumbnails
    crop: str = "entropy"  # how a box size is filled: around the most detailed part, or the centre
    animation: bool = True  # animated GIF, WebP and PNG keep their frames
    animation_max_pixels: int = ANIMATION_MAX_PIXELS
    animation_max_frames: int = ANIMATION_MAX_FRAMES  # more frames: a still of the first, said in the log
    extra_formats: tuple[str, ...] = ()  # optional inputs whose decoders the layer carries: heif, avif, pdf, video
    video_poster_ms: int = 0  # where a video's poster frame is; 0: its first frame that is not black
    source_metadata: bool = True  # thumbnails name their source (bucket, key, ETag); false: only a digest
    max_object_bytes: int = 100 * 1024 * 1024  # larger objects are refused without being downloaded
    source_bucket_owner: str = ""  # account that must own the buckets read (ExpectedBucketOwner); "": unchecked
    destination_bucket_owner: str = ""  # account that must own destination_bucket
    memory_mb: int = (
        0  # the function's memory (Lambda's AWS_LAMBDA_FUNCTION_MEMORY_SIZE): what would not fit is refused
    )
    database_secret_arn: str = ""  # the catalogue's login (Secrets Manager); "": no catalogue, unless DB_HOST
    database_table: str = "thumbnails"  # the catalogue's table
    database_host: str = ""  # where the database is, when the secret does not say (an RDS-managed secret)
    database_port: int = 0  # 0: the secret's, else 3306
    database_name: str = ""  # "": the secret's dbname, if any
    database_tls: str = "require"  # require (encrypted), verify (and the certificate checked), disable
    database_ca_bundle: str = ""  # the CA bundle "verify" checks the server's certificate against
    source_bucket: str = ""  # the uploads' bucket (SOURCE_BUCKET): where a variant asked for on request is read
    source_prefix: str = ""  # only keys under it are sources
    # On request (ondemand.py): the named sizes a page may ask for, in which formats; "" / (): the path is off.
    on_demand_presets: tuple[tuple[str, Size], ...] = ()
    on_demand_formats: tuple[str, ...] = ()
    on_demand_signing_secret_arn: str = ""  # "": only presets; else also sizes signed with this secret's HMAC key
    on_demand_max_age: int = 86400  # seconds a variant answered by the function may be cached
    on_demand_distribution_id: str = ""  # "": no invalidation; else a changed source's paths are invalidated there

    @property
    def on_demand_sizes(self) -> tuple[Size, ...]:
        return tuple(dict.fromkeys(size for _, size in self.on_demand_presets))


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


def _sizes(environ: Mapping[str, str]) -> tuple[Size, ...]:
    raw = environ.get("THUMBNAIL_SIZES", "").strip() or "256"
    try:
        sizes = {parse_size(part) for part in raw.split(",")}
    except ValueError:
        raise ConfigError(
            "THUMBNAIL_SIZES must be a comma-separated list of longest edges (256) and boxes (200x200), every side "
            f"between 1 and {MAX_EDGE} pixels; got {raw!r}."
        ) from None
    return tuple(sorted(sizes, reverse=True))


def _choice(environ: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = (environ.get(name, "").strip() or default).lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def _account(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if value and not (len(value) == 12 and value.isdigit()):
        raise ConfigError(f"{name} must be a 12-digit AWS account ID; got {value!r}.")
    return value


def _listed(raw: str) -> tuple[str, ...]:
    """A comma-separated list, lower-cased, each name once, in the order given."""
    return tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))


def _extra_formats(environ: Mapping[str, str]) -> tuple[str, ...]:
    raw = environ.get("EXTRA_FORMATS", "")
    names = _listed(raw)
    known = (*OPTIONAL_FORMATS, *SOURCES)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(f"EXTRA_FORMATS must be a comma-separated list of {', '.join(known)}; got {raw!r}.")
    return names


def _output_formats(
    environ: Mapping[str, str], extra_formats: tuple[str, ...], variable: str = "OUTPUT_FORMATS"
) -> tuple[str, ...]:
    """The formats ``variable`` lists (OUTPUT_FORMATS, ON_DEMAND_FORMATS): known ones, each with its codec in the
    layer."""
    raw = environ.get(variable, "")
    names = _listed(raw)
    if any(name not in OUTPUTS for name in names):
        raise ConfigError(f"{variable} must be a comma-separated list of {', '.join(OUTPUTS)}; got {raw!r}.")
    for name in names:
        if name in OPTIONAL_FORMATS and name not in extra_formats:
            raise ConfigError(
                f"{variable} has {name}, which needs its codec in the layer: add {name} to EXTRA_FORMATS "
                "(the module's extra_formats)."
            )
    return names


def _header(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if value and not _HEADER_VALUE.match(value):
        raise ConfigError(f"{name} must be 1 to 1024 printable ASCII characters (an HTTP header); got {value!r}.")
    return value


def _copy_metadata(environ: Mapping[str, str]) -> tuple[str, ...]:
    raw = environ.get("COPY_METADATA", "")
    names = _listed(raw)
    for name in names:
        if not _METADATA_NAME.match(name) or name in OWN_METADATA:
            raise ConfigError(
                "COPY_METADATA must be a comma-separated list of user metadata names (lower-case letters, digits, "
                f"'.', '_', '-'), none of the function's own ({', '.join(OWN_METADATA)}); got {raw!r}."
            )
    return names


def _storage_class(environ: Mapping[str, str]) -> str:
    value = environ.get("STORAGE_CLASS", "").strip().upper() or "STANDARD"
    if value not in STORAGE_CLASSES:
        raise ConfigError(
            f"STORAGE_CLASS must be one a thumbnail can be read from at once: {', '.join(STORAGE_CLASSES)}; "
            f"got {value!r}."
        )
    return value


def _tags(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """THUMBNAIL_TAGS: URL-encoded as S3's x-amz-tagging header is (``team=web&cost%20centre=42``)."""
    raw = environ.get("THUMBNAIL_TAGS", "").strip()
    try:
        pairs = tuple(parse_qsl(raw, keep_blank_values=True, strict_parsing=bool(raw)))
    except ValueError:
        pairs = (("", ""),)
    keys = [key for key, _ in pairs]
    if (
        len(pairs) > MAX_TAGS
        or len(set(keys)) != len(keys)
        or any(not 1 <= len(key) <= 128 or len(value) > 256 or key.startswith("aws:") for key, value in pairs)
        or not all(map(_tag_text, (text for pair in pairs for text in pair)))
    ):
        raise ConfigError(
            f"THUMBNAIL_TAGS must be at most {MAX_TAGS} URL-encoded key=value pairs joined by '&' (keys 1 to 128 "
            "characters, not starting with aws:, values up to 256; letters, digits, spaces and _ . : / = + - @, "
            f"S3's tag characters); got {raw!r}."
        )
    return pairs


def _tag_text(text: str) -> bool:
    """S3's tag characters: letters, digits, separators (spaces) and ``_ . : / = + - @``."""
    return all(c.isalnum() or c.isspace() or c in "_.:/=+-@" for c in text)


def _database(environ: Mapping[str, str]) -> tuple[str, str]:
    arn = environ.get("DATABASE_SECRET_ARN", "").strip()
    if arn and not _SECRET_ARN.match(arn):
        raise ConfigError(f"DATABASE_SECRET_ARN must be the ARN of a Secrets Manager secret; got {arn!r}.")
    table = environ.get("DATABASE_TABLE", "").strip() or "thumbnails"
    if not _TABLE.match(table):
        raise ConfigError(
            f"DATABASE_TABLE must be 1 to 48 letters, digits or underscores (a table name); got {table!r}."
        )
    return arn, table


_PRESET_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def _presets(environ: Mapping[str, str]) -> tuple[tuple[str, Size], ...]:
    """ON_DEMAND_PRESETS: ``thumb=256,card=640x360``, names a page uses for sizes in THUMBNAIL_SIZES' syntax."""
    raw = environ.get("ON_DEMAND_PRESETS", "").strip()
    presets = []
    try:
        for part in filter(None, (p.strip() for p in raw.split(","))):
            name, _, size = part.partition("=")
            if not _PRESET_NAME.match(name.strip()):
                raise ValueError(name)
            presets.append((name.strip(), parse_size(size)))
    except ValueError:
        raise ConfigError(
            "ON_DEMAND_PRESETS must be a comma-separated list of name=size (a name of lower-case letters, digits "
            f"and '-' starting with a letter; a size as in THUMBNAIL_SIZES); got {raw!r}."
        ) from None
    return tuple(presets)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the configuration; every error names the variable and the value."""
    env = os.environ if environ is None else environ
    bucket = env.get("DESTINATION_BUCKET", "").strip()
    if not bucket:
        raise ConfigError("DESTINATION_BUCKET must name the bucket thumbnails are written to; it is not set.")
    extra_formats = _extra_formats(env)
    output_format = _choice(env, "OUTPUT_FORMAT", "auto", FORMAT_CHOICES)
    if output_format in OPTIONAL_FORMATS and output_format not in extra_formats:
        raise ConfigError(
            f"OUTPUT_FORMAT={output_format} needs its codec in the layer: add {output_format} to EXTRA_FORMATS "
            "(the module's extra_formats)."
        )
    output_formats = _output_formats(env, extra_formats)
    if output_formats and output_format != "auto":
        raise ConfigError(
            f"Set OUTPUT_FORMATS or OUTPUT_FORMAT, not both: OUTPUT_FORMATS={','.join(output_formats)} and "
            f"OUTPUT_FORMAT={output_format}."
        )
    database_secret_arn, database_table = _database(env)
    database_name = env.get("DATABASE_NAME", "").strip()
    database_tls = _choice(env, "DATABASE_TLS", "require", ("require", "verify", "disable"))
    database_ca_bundle = env.get("DATABASE_CA_BUNDLE", "").strip()
    if database_tls == "verify" and not database_ca_bundle:
        raise ConfigError(
            "DATABASE_TLS=verify needs DATABASE_CA_BUNDLE: the CA bundle that signed the database's certificate."
        )
    if database_name and not _TABLE.match(database_name):
        raise ConfigError(
            f"DATABASE_NAME must be letters, digits or underscores (a database name); got {database_name!r}."
        )
    return Settings(
        destination_bucket=bucket,
        destination_prefix=env.get("DESTINATION_PREFIX", "thumbnails/"),
        sizes=_sizes(env),
        output_format=output_format,
        output_formats=output_formats,
        colour=_choice(env, "COLOUR", "keep", POLICIES),
        jpeg_progressive=_bool(env, "JPEG_PROGRESSIVE", False),
        cache_control=_header(env, "CACHE_CONTROL"),
        content_disposition=_choice(env, "CONTENT_DISPOSITION", "inline", DISPOSITIONS),
        copy_metadata=_copy_metadata(env),
        storage_class=_storage_class(env),
        tags=_tags(env),
        quality=_int(env, "QUALITY", 85, 1, 95),
        max_image_pixels=_int(env, "MAX_IMAGE_PIXELS", 50_000_000, 1, PILLOW_PIXEL_LIMIT),
        delete_thumbnails=_bool(env, "DELETE_THUMBNAILS", True),
        crop=_choice(env, "CROP", "entropy", CROPS),
        animation=_bool(env, "ANIMATION", True),
        animation_max_pixels=_int(env, "ANIMATION_MAX_PIXELS", ANIMATION_MAX_PIXELS, 1, 10_000_000_000),
        animation_max_frames=_int(env, "ANIMATION_MAX_FRAMES", ANIMATION_MAX_FRAMES, 1, 100_000),
        extra_formats=extra_formats,
        video_poster_ms=_int(env, "VIDEO_POSTER_MS", 0, 0, 6 * 3600 * 1000),
        source_metadata=_bool(env, "SOURCE_METADATA", True),
        max_object_bytes=_int(env, "MAX_OBJECT_BYTES", 100 * 1024 * 1024, 1, 10 * 1024**3),
        source_bucket_owner=_account(env, "SOURCE_BUCKET_OWNER"),
        destination_bucket_owner=_account(env, "DESTINATION_BUCKET_OWNER"),
        memory_mb=_int(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 0, 0, 10240),
        database_secret_arn=database_secret_arn,
        database_table=database_table,
        database_host=env.get("DATABASE_HOST", "").strip(),
        database_port=_int(env, "DATABASE_PORT", 0, 1, 65535),
        database_name=database_name,
        database_tls=database_tls,
        database_ca_bundle=database_ca_bundle,
        source_bucket=env.get("SOURCE_BUCKET", "").strip(),
        source_prefix=env.get("SOURCE_PREFIX", ""),
        on_demand_presets=_presets(env),
        on_demand_formats=_output_formats(env, extra_formats, "ON_DEMAND_FORMATS"),
        on_demand_signing_secret_arn=_secret_arn(env, "ON_DEMAND_SIGNING_SECRET_ARN"),
        on_demand_max_age=_int(env, "ON_DEMAND_MAX_AGE", 86400, 0, 31_536_000),
        on_demand_distribution_id=env.get("ON_DEMAND_DISTRIBUTION_ID", "").strip(),
    )


def _secret_arn(environ: Mapping[str, str], name: str) -> str:
    arn = environ.get(name, "").strip()
    if arn and not _SECRET_ARN.match(arn):
        raise ConfigError(f"{name} must be the ARN of a Secrets Manager secret; got {arn!r}.")
    return arn
