"""examples/on-demand applied on localaws, and the whole path a first request takes, with the harness playing
CloudFront's part as far as the module relies on it (docs/localaws.md): the viewer-request function as deployed,
run under Node -> S3 GET of the rewritten path (a miss) -> the function URL, signed with the distribution's
origin key -> the picture and its headers -> the same key is now an S3 hit. Then the source is overwritten, and
the upload function retires the variant and sends one invalidation for it.

Owns its stack: the stack (a distribution, a second function, its URL) is what it tests; one apply for its three
steps, in order."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from devkit.endpoint import wait_for
from devkit.origin import origin_get, origin_key
from devkit.stack import local_terraform

from ..module.on_demand.test_viewer_request import run, viewer_request

NAME = {"name_prefix": "od-e2e"}
SOURCE, DESTINATION = "od-e2e-uploads", "od-e2e-thumbnails"
WEBP_BROWSER = "image/webp,*/*"


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Applied:
    distribution: dict[str, Any]
    function_url: str
    code: str  # the viewer-request function as published (LIVE)


@pytest.fixture(scope="module")
def applied(endpoint, client, tmp_path_factory) -> Iterator[Applied]:
    """examples/on-demand applied once for the steps below (xdist group "on-demand"), destroyed after them."""
    tf = local_terraform(tmp_path_factory.mktemp("on-demand"), endpoint, example="on-demand")
    cloudfront = client("cloudfront")
    try:
        tf.apply(tf_vars=NAME)
        outputs = tf.output()
        (distribution,) = [d for d in cloudfront.list_distributions()["DistributionList"]["Items"]]
        function_url = client("lambda").get_function_url_config(FunctionName=outputs["on_demand_function_name"])[
            "FunctionUrl"
        ]
        (function,) = distribution["DefaultCacheBehavior"]["FunctionAssociations"]["Items"]
        name = function["FunctionARN"].rsplit("/", 1)[1]
        code = cloudfront.get_function(Name=name, Stage="LIVE")["FunctionCode"].read().decode()
        yield Applied(distribution, function_url, code)
    finally:
        tf.destroy(tf_vars=NAME)


on_demand_step = pytest.mark.xdist_group("on-demand")
KEY = "thumbnails/640x360/uploads/my cat.jpg.webp"


@on_demand_step
def test_a_first_request_is_made_stored_and_then_an_s3_hit(applied, endpoint, client):
    s3 = client("s3")
    s3.put_object(Bucket=SOURCE, Key="uploads/my cat.jpg", Body=jpeg(1600, 1200))

    # The viewer-request function CloudFront runs: the deployed, published code, under Node.
    (request,) = run(applied.code, viewer_request("/card/uploads/my%20cat.jpg", WEBP_BROWSER))
    assert request["uri"] == "/thumbnails/640x360/uploads/my%20cat.jpg.webp"

    # The origin group, as CloudFront asks it with the distribution's origin key: the bucket first, a miss (403: the
    # bucket's policy grants no s3:ListBucket), then the function URL with the headers the function set.
    key_of = origin_key(endpoint, applied.distribution["Id"])
    from_s3 = f"{endpoint}/{DESTINATION}{request['uri']}"
    status, _, _ = origin_get(from_s3, key_of, "s3")
    assert status == 403, "a miss: the origin group fails over"
    headers = {n: h["value"] for n, h in request["headers"].items() if n.startswith("x-thumbnail")}
    status, answered, body = origin_get(
        applied.function_url.rstrip("/") + request["uri"], key_of, "lambda", headers=headers
    )
    assert status == 200, body[:300]
    assert answered["Content-Type"] == "image/webp" and answered["Cache-Control"] == "public, max-age=86400"
    assert Image.open(io.BytesIO(body)).size == (640, 360)

    # The same key is now an S3 hit for CloudFront (the module's bucket policy statement lets it read), with the
    # same bytes and headers.
    status, hit, again = origin_get(from_s3, key_of, "s3")
    assert (status, again, hit["ETag"]) == (200, body, answered["ETag"])
    stored = s3.get_object(Bucket=DESTINATION, Key=KEY)
    assert stored["Metadata"]["source-key"] == "uploads/my%20cat.jpg"


@on_demand_step
def test_unsigned_the_function_url_refuses_and_an_unknown_preset_never_leaves_the_edge(applied):
    uri = "/thumbnails/640x360/uploads/my%20cat.jpg.webp"
    try:
        urllib.request.urlopen(applied.function_url.rstrip("/") + uri, timeout=60)
    except urllib.error.HTTPError as unsigned:
        assert unsigned.code == 403
    else:
        raise AssertionError("an unsigned request reached the function")
    (refused,) = run(applied.code, viewer_request("/poster/uploads/my%20cat.jpg"))
    assert refused["statusCode"] == 400


@on_demand_step
def test_an_overwritten_source_retires_its_variant_and_invalidates_it_once(applied, client):
    s3, cloudfront, distribution = client("s3"), client("cloudfront"), applied.distribution["Id"]
    assert s3.head_object(Bucket=DESTINATION, Key=KEY), "made by the first request"
    s3.put_object(Bucket=SOURCE, Key="uploads/my cat.jpg", Body=jpeg(1600, 800))

    def retired() -> list | None:
        listed = s3.list_objects_v2(Bucket=DESTINATION, Prefix="thumbnails/640x360/").get("Contents", [])
        made = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
        return made.get("Items") if not listed and made.get("Quantity") else None

    (invalidation,) = wait_for(retired, 120, "the variant retired and invalidated")
    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation["Id"])
    assert sorted(paths["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]) == [
        "/card/uploads/my%20cat.jpg",
        "/thumbnails/640x360/uploads/my%20cat.jpg.webp",
    ]
