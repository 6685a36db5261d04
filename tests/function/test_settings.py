from __future__ import annotations

import pytest

from thumbnailer.settings import ConfigError, Settings, load_settings
from thumbnailer.sizes import Size


def test_defaults():
    assert load_settings({"DESTINATION_BUCKET": "b"}) == Settings(destination_bucket="b")


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
    ],
)
def test_bad_values_name_the_variable_and_value(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"DESTINATION_BUCKET": "b", **env} if env else {})
