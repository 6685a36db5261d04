from __future__ import annotations

import pytest

from thumbnailer.errors import ConfigError
from thumbnailer.picture.sizes import Size
from thumbnailer.settings import Settings, load_settings


def test_defaults():
    assert load_settings({"DESTINATION_BUCKET": "b"}) == Settings(destination_bucket="b")


def test_boxes_crops_animation_and_extra_formats():
    settings = load_settings(
        {
            "DESTINATION_BUCKET": "b",
            "THUMBNAIL_SIZES": "256,200x200",
            "CROP": "centre",
            "ANIMATION": "false",
            "ANIMATION_MAX_PIXELS": "1000",
            "ANIMATION_MAX_FRAMES": "50",
            "EXTRA_FORMATS": "avif, heif",
            "OUTPUT_FORMAT": "avif",
        }
    )
    assert [s.label for s in settings.sizes] == ["256", "200x200"]
    assert (settings.crop, settings.animation, settings.animation_max_pixels) == ("centre", False, 1000)
    assert (
        settings.animation_max_frames == 50 and load_settings({"DESTINATION_BUCKET": "b"}).animation_max_frames == 1000
    )
    assert settings.extra_formats == ("avif", "heif") and settings.output_format == "avif"


def test_previews_are_extra_formats_and_the_poster_time_is_read():
    settings = load_settings({"DESTINATION_BUCKET": "b", "EXTRA_FORMATS": "pdf,video", "VIDEO_POSTER_MS": "1500"})
    assert settings.extra_formats == ("pdf", "video") and settings.video_poster_ms == 1500
    assert load_settings({"DESTINATION_BUCKET": "b"}).video_poster_ms == 0, "0: the first frame that is not black"


def test_formats_colour_and_how_thumbnails_are_written():
    settings = load_settings(
        {
            "DESTINATION_BUCKET": "b",
            "EXTRA_FORMATS": "avif",
            "OUTPUT_FORMATS": "avif, webp,jpeg,webp",
            "COLOUR": "srgb",
            "JPEG_PROGRESSIVE": "true",
            "CACHE_CONTROL": "max-age=3600",
            "CONTENT_DISPOSITION": "attachment",
            "COPY_METADATA": "Photographer, licence",
            "STORAGE_CLASS": "standard_ia",
            "THUMBNAIL_TAGS": "team=web&cost+centre=42%2F43&empty=",
        }
    )
    assert settings.output_formats == ("avif", "webp", "jpeg"), "in order, once each"
    assert (settings.colour, settings.jpeg_progressive) == ("srgb", True)
    assert (settings.cache_control, settings.content_disposition) == ("max-age=3600", "attachment")
    assert settings.copy_metadata == ("photographer", "licence"), "S3 keeps user metadata names lower-case"
    assert settings.storage_class == "STANDARD_IA"
    assert settings.tags == (("team", "web"), ("cost centre", "42/43"), ("empty", ""))
    defaults = load_settings({"DESTINATION_BUCKET": "b"})
    assert (defaults.output_formats, defaults.colour, defaults.content_disposition, defaults.storage_class) == (
        (), "keep", "inline", "STANDARD"
    )  # fmt: skip


def test_sizes_are_deduplicated_largest_first():
    assert load_settings({"DESTINATION_BUCKET": "b", "THUMBNAIL_SIZES": "128, 1024,128,512"}).sizes == (
        Size(1024, 0),
        Size(512, 0),
        Size(128, 0),
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "DESTINATION_BUCKET must name the bucket"),
        ({"THUMBNAIL_SIZES": "256,abc"}, "THUMBNAIL_SIZES must be a comma-separated list .* got '256,abc'"),
        ({"THUMBNAIL_SIZES": "0"}, "THUMBNAIL_SIZES .* got '0'"),
        ({"OUTPUT_FORMAT": "tiff"}, "OUTPUT_FORMAT must be one of auto, jpeg, png, webp, avif; got 'tiff'"),
        ({"QUALITY": "0"}, "QUALITY must be between 1 and 95; got 0"),
        ({"QUALITY": "high"}, "QUALITY must be a whole number between 1 and 95; got 'high'"),
        ({"MAX_IMAGE_PIXELS": "-5"}, "MAX_IMAGE_PIXELS must be between 1 and 178956970; got -5"),
        ({"MAX_IMAGE_PIXELS": "178956971"}, "MAX_IMAGE_PIXELS must be between 1 and 178956970; got 178956971"),
        ({"THUMBNAIL_SIZES": "256,200x0"}, r"THUMBNAIL_SIZES must be .* boxes \(200x200\).* got '256,200x0'"),
        ({"CROP": "attention"}, "CROP must be one of entropy, centre; got 'attention'"),
        ({"ANIMATION": "yes"}, "ANIMATION must be true or false; got 'yes'"),
        (
            {"EXTRA_FORMATS": "heic"},
            "EXTRA_FORMATS must be a comma-separated list of heif, avif, pdf, video; got 'heic'",
        ),
        ({"VIDEO_POSTER_MS": "-5"}, "VIDEO_POSTER_MS must be between 0 and 21600000; got -5."),
        ({"OUTPUT_FORMAT": "pdf", "EXTRA_FORMATS": "pdf"}, "OUTPUT_FORMAT must be one of auto, jpeg, png, webp, avif"),
        ({"OUTPUT_FORMAT": "avif"}, "OUTPUT_FORMAT=avif needs its codec in the layer: add avif to EXTRA_FORMATS"),
        (
            {"DATABASE_SECRET_ARN": "thumbnails-db"},
            "DATABASE_SECRET_ARN must be the ARN of a Secrets Manager secret; got 'thumbnails-db'",
        ),  # fmt: skip
        ({"OUTPUT_FORMATS": "webp,gif"}, "OUTPUT_FORMATS must be a comma-separated list of jpeg, png, webp, avif; got"),
        ({"OUTPUT_FORMATS": "webp,avif"}, "OUTPUT_FORMATS has avif, which needs its codec in the layer: add avif to"),
        ({"COLOUR": "cmyk"}, "COLOUR must be one of keep, srgb; got 'cmyk'"),
        ({"JPEG_PROGRESSIVE": "1"}, "JPEG_PROGRESSIVE must be true or false; got '1'"),
        ({"CACHE_CONTROL": "max-age=60\nX-Evil: 1"}, "CACHE_CONTROL must be 1 to 1024 printable ASCII characters"),
        ({"CONTENT_DISPOSITION": "download"}, "CONTENT_DISPOSITION must be one of inline, attachment, none; got"),
        ({"COPY_METADATA": "source-key"}, "COPY_METADATA must be .* none of the function's own .* got 'source-key'"),
        ({"COPY_METADATA": "a b"}, "COPY_METADATA must be a comma-separated list of user metadata names"),
        (
            {"STORAGE_CLASS": "GLACIER"},
            "STORAGE_CLASS must be one a thumbnail can be read from at once: STANDARD, .*; got 'GLACIER'",
        ),
        ({"THUMBNAIL_TAGS": "&".join(f"k{i}=v" for i in range(11))}, "THUMBNAIL_TAGS must be at most 10 URL-encoded"),
        ({"THUMBNAIL_TAGS": "aws:owner=me"}, "THUMBNAIL_TAGS must be at most 10 .* not starting with aws:"),
        ({"THUMBNAIL_TAGS": "a=1&a=2"}, "THUMBNAIL_TAGS must be"),
        ({"THUMBNAIL_TAGS": "cost=42%25"}, "THUMBNAIL_TAGS must be .* S3's tag characters\\); got 'cost=42%25'"),
        ({"THUMBNAIL_TAGS": "k=" + "v" * 257}, "THUMBNAIL_TAGS must be .* values up to 256"),
        ({"THUMBNAIL_TAGS": "team"}, "THUMBNAIL_TAGS must be .* got 'team'"),
        ({"OUTPUT_FORMATS": "webp", "OUTPUT_FORMAT": "png"}, "Set OUTPUT_FORMATS or OUTPUT_FORMAT, not both"),
        ({"DATABASE_TLS": "on"}, "DATABASE_TLS must be one of require, verify, disable; got 'on'"),
        ({"DATABASE_TLS": "verify"}, "DATABASE_TLS=verify needs DATABASE_CA_BUNDLE"),
        (
            {"DATABASE_TABLE": "images; DROP"},
            "DATABASE_TABLE must be 1 to 48 letters, digits or underscores .* got 'images; DROP'",
        ),  # fmt: skip
    ],
)
def test_bad_values_name_the_variable_and_value(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"DESTINATION_BUCKET": "b", **env} if env else {})


def test_the_functions_memory_comes_from_lambda():
    assert load_settings({"DESTINATION_BUCKET": "b"}).memory_mb == 0, "unknown outside Lambda: no memory refusal"
    assert load_settings({"DESTINATION_BUCKET": "b", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}).memory_mb == 1769


def test_the_catalogue_is_named_by_its_secret_and_table():
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1a2b-AbCdEf"
    settings = load_settings({"DESTINATION_BUCKET": "b", "DATABASE_SECRET_ARN": arn, "DATABASE_TABLE": "images"})
    assert (settings.database_secret_arn, settings.database_table) == (arn, "images")
    assert load_settings({"DESTINATION_BUCKET": "b"}).database_table == "thumbnails"
