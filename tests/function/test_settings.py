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
        ({"EXTRA_FORMATS": "heic"}, "EXTRA_FORMATS must be a comma-separated list of heif, avif; got 'heic'"),
        ({"OUTPUT_FORMAT": "avif"}, "OUTPUT_FORMAT=avif needs its codec in the layer: add avif to EXTRA_FORMATS"),
        (
            {"DATABASE_SECRET_ARN": "thumbnails-db"},
            "DATABASE_SECRET_ARN must be the ARN of a Secrets Manager secret; got 'thumbnails-db'",
        ),  # fmt: skip
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
