"""The on-demand path (thumbnailer/ondemand.py through app.url_handler): a function URL's GET of a variant's key,
as CloudFront sends it after the viewer-request function's rewrite, rendered by the upload path's own code."""

from __future__ import annotations

import base64
import io
import json
from types import SimpleNamespace
from urllib.parse import quote

import boto3
import pytest
from botocore.stub import ANY, Stubber
from PIL import Image

import app
from thumbnailer import ondemand
from thumbnailer.aws import cdn
from thumbnailer.errors import TransientFailure
from thumbnailer.keys import MAX_KEY_BYTES
from thumbnailer.picture.sizes import Size

from .conftest import DEST, SOURCE, invoke, log_lines, s3_event, thumbnail_keys
from .images import EPS, animation, jpeg

PRESETS = "thumb=256,card=640x360"


@pytest.fixture
def on_demand(env):
    env.setenv("ON_DEMAND_PRESETS", PRESETS)
    env.setenv("ON_DEMAND_FORMATS", "webp,jpeg")
    env.setenv("SOURCE_BUCKET", SOURCE)
    env.setenv("SOURCE_PREFIX", "uploads/")
    env.setenv("CACHE_CONTROL", "public, max-age=3600")
    for name in ("ON_DEMAND_SIGNING_SECRET_ARN", "ON_DEMAND_MAX_AGE", "ON_DEMAND_DISTRIBUTION_ID", "THUMBNAIL_SIZES"):
        env.delenv(name, raising=False)
    app.settings.cache_clear()
    app.signing_secret.cache_clear()
    return env


def get(path: str, **headers: str) -> dict:
    event = {
        "version": "2.0",
        "rawPath": path,
        "headers": headers,
        "requestContext": {"http": {"method": "GET", "path": path}},
    }
    return app.url_handler(event, SimpleNamespace(aws_request_id="req-url"))


def picture(response: dict) -> Image.Image:
    assert response["isBase64Encoded"] is True
    return Image.open(io.BytesIO(base64.b64decode(response["body"])))


def emf(out: str) -> list[dict]:
    return [line for line in map(json.loads, filter(None, out.splitlines())) if "_aws" in line]


def test_a_preset_is_rendered_stored_under_the_upload_paths_key_and_answered(s3, on_demand):
    s3.put_object(Bucket=SOURCE, Key="uploads/my cat.jpg", Body=jpeg(1600, 1200))
    response = get("/thumbnails/640x360/uploads/my%20cat.jpg.webp")
    assert response["statusCode"] == 200, base64.b64decode(response["body"])
    shown = picture(response)
    assert (shown.format, shown.size) == ("WEBP", (640, 360))
    headers = response["headers"]
    assert headers["Content-Type"] == "image/webp" and headers["Cache-Control"] == "public, max-age=3600"
    assert headers["Content-Disposition"] == 'inline; filename="my cat.webp"'
    stored = s3.get_object(Bucket=DEST, Key="thumbnails/640x360/uploads/my cat.jpg.webp")
    assert stored["Body"].read() == base64.b64decode(response["body"])
    assert headers["ETag"] == stored["ETag"], "the first answer and the S3 hit after it carry the same ETag"
    assert stored["Metadata"]["source-key"] == "uploads/my%20cat.jpg" and stored["Metadata"]["source-etag"]
    assert stored["CacheControl"] == "public, max-age=3600" and stored["ContentType"] == "image/webp"

    # The upload path, asked for the same size in the same format, writes the same key with the same bytes.
    on_demand.setenv("THUMBNAIL_SIZES", "640x360")
    on_demand.setenv("OUTPUT_FORMATS", "webp")
    app.settings.cache_clear()
    s3.delete_object(Bucket=DEST, Key="thumbnails/640x360/uploads/my cat.jpg.webp")
    summary = invoke(s3_event("uploads/my cat.jpg"))
    assert summary["processed"][0]["thumbnails"] == ["thumbnails/640x360/uploads/my cat.jpg.webp"]
    again = s3.get_object(Bucket=DEST, Key="thumbnails/640x360/uploads/my cat.jpg.webp")["Body"].read()
    assert again == base64.b64decode(response["body"])


def test_each_enabled_format_and_a_longest_edge(s3, on_demand):
    s3.put_object(Bucket=SOURCE, Key="uploads/a.jpg", Body=jpeg(800, 400))
    jpg = picture(get("/thumbnails/256/uploads/a.jpg.jpg"))
    assert (jpg.format, jpg.size) == ("JPEG", (256, 128))
    assert thumbnail_keys(s3) == ["thumbnails/256/uploads/a.jpg.jpg"]


def test_an_animation_keeps_its_frames(s3, on_demand):
    data, durations = animation("GIF", frames=4, size=(400, 200))
    s3.put_object(Bucket=SOURCE, Key="uploads/wave.gif", Body=data)
    shown = picture(get("/thumbnails/256/uploads/wave.gif.webp"))
    assert shown.format == "WEBP" and shown.n_frames == 4 and shown.size == (256, 128)


@pytest.mark.parametrize(
    "path, status, reason",
    [
        ("/thumbnails/300/uploads/a.jpg.webp", 400, "size 300 is not a preset"),
        ("/thumbnails/256/uploads/a.jpg.png", 400, "none of the enabled formats' extensions (.webp, .jpg)"),
        ("/thumbnails/640X360/uploads/a.jpg.webp", 400, "the size is written 640x360"),
        ("/elsewhere/256/uploads/a.jpg.webp", 400, "not under the thumbnails prefix"),
        ("/thumbnails/256/private/a.jpg.webp", 400, "not under the uploads prefix"),
        ("/thumbnails/big/uploads/a.jpg.webp", 400, "'big' is not a size"),
    ],
)
def test_anything_not_a_preset_is_refused_before_the_source_is_read(s3, on_demand, capsys, path, status, reason):
    s3.put_object(Bucket=SOURCE, Key="uploads/a.jpg", Body=jpeg())
    capsys.readouterr()
    response = get(path)
    assert response["statusCode"] == status and reason in base64.b64decode(response["body"]).decode()
    assert response["headers"]["Cache-Control"] == "no-store"
    assert thumbnail_keys(s3) == [], "nothing rendered"
    out = capsys.readouterr().out
    (total, by_reason) = emf(out)
    assert total["Refused"] == 1 and by_reason["Reason"] == "not-a-preset"
    assert [line["reason"] for line in log_lines(out)] == [base64.b64decode(response["body"]).decode()]


def test_a_missing_source_is_404_for_a_short_while(s3, on_demand):
    response = get("/thumbnails/256/uploads/nobody.jpg.webp")
    assert response["statusCode"] == 404
    assert response["headers"]["Cache-Control"] == f"public, max-age={ondemand.MISSING_MAX_AGE}"


def test_a_refused_picture_is_422_with_its_reason(s3, on_demand, capsys):
    s3.put_object(Bucket=SOURCE, Key="uploads/drawing.jpg", Body=EPS)
    response = get("/thumbnails/256/uploads/drawing.jpg.webp")
    assert response["statusCode"] == 422
    assert base64.b64decode(response["body"]).decode().startswith("not an image in a supported format")
    assert [line["Reason"] for line in emf(capsys.readouterr().out)[1:]] == ["not-an-image"]
    assert thumbnail_keys(s3) == []


def test_a_key_s3_cannot_hold_is_414(s3, on_demand, capsys):
    source = "uploads/" + "ü" * 500 + ".jpg"
    path = "/" + quote(f"thumbnails/640x360/{source}.webp")
    response = get(path)
    assert response["statusCode"] == 414
    text = base64.b64decode(response["body"]).decode()
    length = len(f"thumbnails/640x360/{source}.webp".encode())
    assert text.startswith(f"thumbnail key of {length} bytes is longer than S3's key limit of {MAX_KEY_BYTES} bytes;")
    assert [line["Reason"] for line in emf(capsys.readouterr().out)[1:]] == ["key-too-long"]


def test_an_answer_over_lambdas_limit_is_stored_and_redirects_to_itself(s3, on_demand, monkeypatch):
    monkeypatch.setattr(ondemand, "MAX_RESPONSE_BYTES", 20 * 1024)  # a picture of ~10 kB would pass 6 MB's stand-in
    s3.put_object(Bucket=SOURCE, Key="uploads/big.jpg", Body=jpeg(1600, 1200))
    response = get("/thumbnails/640x360/uploads/big.jpg.jpg", **{"x-thumbnail-viewer-path": "/card/uploads/big.jpg"})
    assert response["statusCode"] == 302
    assert response["headers"] == {"Location": "/card/uploads/big.jpg", "Cache-Control": "no-store"}
    assert thumbnail_keys(s3) == ["thumbnails/640x360/uploads/big.jpg.jpg"], "stored first: the next GET is a hit"


def test_a_source_that_changes_while_rendering_leaves_nothing_stored(s3, on_demand, monkeypatch):
    s3.put_object(Bucket=SOURCE, Key="uploads/moving.jpg", Body=jpeg(800, 600))
    real = app.ondemand.render_current

    def render_then_overwrite(*args, **kwargs):
        rendered = real(*args, **kwargs)
        s3.put_object(Bucket=SOURCE, Key="uploads/moving.jpg", Body=jpeg(900, 600))
        return rendered

    monkeypatch.setattr(ondemand, "render_current", render_then_overwrite)
    response = get("/thumbnails/256/uploads/moving.jpg.webp")
    assert response["statusCode"] == 200 and response["headers"]["Cache-Control"] == "no-store"
    assert thumbnail_keys(s3) == [], "the old picture's variant was not left behind"


def test_signed_sizes(s3, on_demand):
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    arn = secrets.create_secret(Name="thumbnail-signing", SecretString="s3cr3t")["ARN"]
    on_demand.setenv("ON_DEMAND_SIGNING_SECRET_ARN", arn)
    on_demand.setenv("MAX_IMAGE_PIXELS", "1000000")
    app.settings.cache_clear()
    s3.put_object(Bucket=SOURCE, Key="uploads/s.jpg", Body=jpeg(800, 600))
    good = ondemand.signature_of(b"s3cr3t", Size(300, 200), "uploads/s.jpg")
    assert get("/thumbnails/300x200/uploads/s.jpg.webp", **{"x-thumbnail-signature": good})["statusCode"] == 200
    assert get("/thumbnails/300x200/uploads/s.jpg.webp")["statusCode"] == 403
    other = ondemand.signature_of(b"s3cr3t", Size(300, 201), "uploads/s.jpg")
    assert get("/thumbnails/300x200/uploads/s.jpg.jpg", **{"x-thumbnail-signature": other})["statusCode"] == 403
    wrong_key = ondemand.signature_of(b"other", Size(300, 200), "uploads/s.jpg")
    assert get("/thumbnails/300x200/uploads/s.jpg.jpg", **{"x-thumbnail-signature": wrong_key})["statusCode"] == 403
    huge = ondemand.signature_of(b"s3cr3t", Size(2000, 0), "uploads/s.jpg")
    response = get("/thumbnails/2000/uploads/s.jpg.jpg", **{"x-thumbnail-signature": huge})
    assert response["statusCode"] == 400 and b"more than MAX_IMAGE_PIXELS=1000000" in base64.b64decode(response["body"])
    assert get("/thumbnails/256/uploads/s.jpg.jpg")["statusCode"] == 200, "presets need no signature"
    assert thumbnail_keys(s3) == ["thumbnails/256/uploads/s.jpg.jpg", "thumbnails/300x200/uploads/s.jpg.webp"]


def test_a_source_whose_thumbnail_keys_s3_cannot_hold_is_refused_before_any_work(s3, env, capsys):
    """S3 keys are at most 1,024 bytes: a 1,024-byte source has no thumbnail key that fits. Refused permanently
    (reported, counted, never retried), before the object is read; the other records are untouched."""
    env.setenv("THUMBNAIL_SIZES", "640x360,256")
    app.settings.cache_clear()
    stem = "uploads/long/" + "ü" * 200
    long_key = stem + "x" * (1024 - len(stem.encode()) - len(".jpg")) + ".jpg"
    assert len(long_key.encode()) == 1024
    s3.put_object(Bucket=SOURCE, Key=long_key, Body=jpeg())
    s3.put_object(Bucket=SOURCE, Key="fine.jpg", Body=jpeg())
    read = []
    app.s3_client().meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: read.append(params["Key"])
    )
    capsys.readouterr()
    summary = invoke(s3_event(long_key, "fine.jpg"))  # no RetryableError: nothing to try again
    (failed,) = summary["failed"]
    assert failed["key"] == long_key and "transient" not in failed
    assert failed["reason"].startswith(
        f"thumbnail key of {len('thumbnails/640x360/') + 1024 + len('.webp')} bytes is longer than S3's key limit "
        "of 1024 bytes (the source key is 1024 bytes)"
    )
    assert [entry["key"] for entry in summary["processed"]] == ["fine.jpg"]
    assert read == ["fine.jpg"], "the long key was never downloaded"
    assert [line["Reason"] for line in emf(capsys.readouterr().out)[1:]] == ["key-too-long"]
    assert thumbnail_keys(s3) == ["thumbnails/256/fine.jpg", "thumbnails/640x360/fine.jpg"]


def test_an_overwritten_source_retires_its_variants_and_invalidates_them_once(s3, on_demand, monkeypatch):
    """Never stale: the upload path removes the variants made from the old picture (the next request makes them
    from the new one) and asks CloudFront, once for the source, to drop every path it may have cached them under;
    an event delivered again finds nothing stale and invalidates nothing."""
    calls = []
    monkeypatch.setattr(app, "invalidator", lambda: lambda paths, reference: calls.append((paths, reference)))
    key = "uploads/my cat.jpg"
    s3.put_object(Bucket=SOURCE, Key=key, Body=jpeg(1600, 1200))
    assert picture(get("/thumbnails/256/uploads/my%20cat.jpg.webp")).size == (256, 192)
    assert get("/thumbnails/640x360/uploads/my%20cat.jpg.jpg")["statusCode"] == 200
    s3.put_object(Bucket=SOURCE, Key=key, Body=jpeg(1600, 800))  # overwritten: a wider picture
    summary = invoke(s3_event(key))
    assert summary["processed"][0]["reason"] == "2 on-demand variant(s) of an older version removed"
    (paths, reference), *more = calls
    assert more == [] and reference.startswith(key)
    assert paths == [
        "/card/uploads/my%20cat.jpg",
        "/thumb/uploads/my%20cat.jpg",
        "/thumbnails/256/uploads/my%20cat.jpg.webp",
        "/thumbnails/640x360/uploads/my%20cat.jpg.jpg",
    ]
    assert thumbnail_keys(s3) == ["thumbnails/256/uploads/my cat.jpg"], "the upload path's own size stays"
    assert picture(get("/thumbnails/256/uploads/my%20cat.jpg.webp")).size == (256, 128), "made from the new picture"
    invoke(s3_event(key))  # the same event again: the variant just made is the current picture's
    assert len(calls) == 1 and "thumbnails/256/uploads/my cat.jpg.webp" in thumbnail_keys(s3)


def test_a_deleted_source_takes_its_variants_with_it(s3, on_demand, monkeypatch):
    calls = []
    monkeypatch.setattr(app, "invalidator", lambda: lambda paths, reference: calls.append(paths))
    s3.put_object(Bucket=SOURCE, Key="uploads/gone.jpg", Body=jpeg())
    assert get("/thumbnails/256/uploads/gone.jpg.jpg")["statusCode"] == 200
    s3.delete_object(Bucket=SOURCE, Key="uploads/gone.jpg")
    summary = invoke(load_delete_event("uploads/gone.jpg"))
    assert "thumbnails/256/uploads/gone.jpg.jpg" in summary["deleted"][0]["thumbnails"]
    assert thumbnail_keys(s3) == []
    assert calls == [["/thumb/uploads/gone.jpg", "/thumbnails/256/uploads/gone.jpg.jpg"]]


def load_delete_event(key: str) -> dict:
    event = s3_event(key)
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    return event


def test_an_invalidation_is_one_request_and_a_busy_cloudfront_is_tried_again():
    client = boto3.client("cloudfront", region_name="us-east-1")
    paths = ["/thumb/a.jpg", "/thumbnails/256/a.jpg.webp"]
    with Stubber(client) as stub:
        expected = {"DistributionId": "E2EXAMPLE", "InvalidationBatch": {
            "Paths": {"Quantity": 2, "Items": paths}, "CallerReference": ANY}}  # fmt: skip
        stub.add_response("create_invalidation", {"Invalidation": {"Id": "I1", "Status": "InProgress",
            "CreateTime": "2026-12-05T00:00:00Z", "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": paths},
            "CallerReference": "r"}}, "Location": "x"}, expected)  # fmt: skip
        stub.add_client_error("create_invalidation", "TooManyInvalidationsInProgress", http_status_code=400)
        assert cdn.invalidate(client, "E2EXAMPLE", paths, "a.jpg-etag") == "I1"
        with pytest.raises(TransientFailure, match="TooManyInvalidationsInProgress"):
            cdn.invalidate(client, "E2EXAMPLE", paths, "a.jpg-etag")


def test_an_unreadable_signing_secret_is_503_and_never_cached(s3, on_demand, capsys):
    on_demand.setenv("ON_DEMAND_SIGNING_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf")
    app.settings.cache_clear()
    s3.put_object(Bucket=SOURCE, Key="uploads/s.jpg", Body=jpeg())
    response = get("/thumbnails/300x200/uploads/s.jpg.webp", **{"x-thumbnail-signature": "0f" * 32})
    assert response["statusCode"] == 503
    assert response["headers"] == {"Cache-Control": "no-store", "Retry-After": "1"}
    (total,) = emf(capsys.readouterr().out)
    assert total["TransientFailures"] == 1 and total["Refused"] == 0
    assert thumbnail_keys(s3) == []
