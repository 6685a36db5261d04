"""examples/on-demand applied on localaws, and the whole path a first request takes, with the harness playing
CloudFront's part as far as the module relies on it (docs/localaws.md): the viewer-request function as deployed,
run under Node -> S3 GET of the rewritten path (a miss) -> the function URL, signed with the distribution's
origin key -> the picture and its headers -> the same key is now an S3 hit. Then the source is overwritten, and
the upload function retires the variant and sends one invalidation for it.

Owns its stack: the stack (a distribution, a second function, its URL) is what it tests."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from PIL import Image

from devkit.endpoint import wait_for
from devkit.stack import local_terraform

from ..module.on_demand.test_viewer_request import run, viewer_request

NAME = {"name_prefix": "od-e2e"}
SOURCE, DESTINATION = "od-e2e-uploads", "od-e2e-thumbnails"
WEBP_BROWSER = "image/webp,*/*"


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def origin_get(endpoint: str, distribution_id: str, url: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    """GET ``url`` as CloudFront's lambda origin access control would: SigV4 with the distribution's origin key."""
    with urllib.request.urlopen(
        f"{endpoint}/_localaws/cloudfront/distributions/{distribution_id}/origin-credentials"
    ) as answer:
        origin = json.loads(answer.read())
    request = AWSRequest(method="GET", url=url, headers=headers)
    SigV4Auth(Credentials(origin["AccessKeyId"], origin["SecretAccessKey"]), "lambda", "us-east-1").add_auth(request)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=dict(request.headers))) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def test_a_first_request_is_made_stored_and_then_an_s3_hit(endpoint, client, tmp_path):
    tf = local_terraform(tmp_path, endpoint, example="on-demand")
    s3, cloudfront = client("s3"), client("cloudfront")
    try:
        tf.apply(tf_vars=NAME)
        outputs = tf.output()
        (distribution,) = [d for d in cloudfront.list_distributions()["DistributionList"]["Items"]]
        function_url = client("lambda").get_function_url_config(FunctionName=outputs["on_demand_function_name"])[
            "FunctionUrl"
        ]
        s3.put_object(Bucket=SOURCE, Key="uploads/my cat.jpg", Body=jpeg(1600, 1200))

        # The viewer-request function CloudFront runs: the deployed, published code, under Node.
        (function,) = distribution["DefaultCacheBehavior"]["FunctionAssociations"]["Items"]
        name = function["FunctionARN"].rsplit("/", 1)[1]
        code = cloudfront.get_function(Name=name, Stage="LIVE")["FunctionCode"].read().decode()
        (request,) = run(code, viewer_request("/card/uploads/my%20cat.jpg", WEBP_BROWSER))
        assert request["uri"] == "/thumbnails/640x360/uploads/my%20cat.jpg.webp"
        key = "thumbnails/640x360/uploads/my cat.jpg.webp"

        # The origin group: S3 first (a miss), then the function URL, signed as CloudFront signs it.
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket=DESTINATION, Key=key)
        headers = {
            name: header["value"] for name, header in request["headers"].items() if name.startswith("x-thumbnail")
        }
        status, answered, body = origin_get(
            endpoint, distribution["Id"], function_url.rstrip("/") + request["uri"], headers
        )
        assert status == 200, body[:300]
        assert answered["Content-Type"] == "image/webp" and answered["Cache-Control"] == "public, max-age=86400"
        assert Image.open(io.BytesIO(body)).size == (640, 360)

        # The same key is now an S3 hit, with the same bytes and headers.
        stored = s3.get_object(Bucket=DESTINATION, Key=key)
        assert stored["Body"].read() == body and stored["ETag"] == answered["ETag"]
        assert stored["Metadata"]["source-key"] == "uploads/my%20cat.jpg"

        # Unsigned, the function URL refuses; an unknown preset never leaves the edge.
        with pytest.raises(urllib.error.HTTPError) as unsigned:
            urllib.request.urlopen(function_url.rstrip("/") + request["uri"])
        assert unsigned.value.code == 403
        (refused,) = run(code, viewer_request("/poster/uploads/my%20cat.jpg"))
        assert refused["statusCode"] == 400

        # Overwritten: the upload function retires the variant and invalidates its paths, once.
        s3.put_object(Bucket=SOURCE, Key="uploads/my cat.jpg", Body=jpeg(1600, 800))

        def retired() -> list | None:
            listed = s3.list_objects_v2(Bucket=DESTINATION, Prefix="thumbnails/640x360/").get("Contents", [])
            made = cloudfront.list_invalidations(DistributionId=distribution["Id"])["InvalidationList"]
            return made.get("Items") if not listed and made.get("Quantity") else None

        (invalidation,) = wait_for(retired, 120, "the variant retired and invalidated")
        paths = cloudfront.get_invalidation(DistributionId=distribution["Id"], Id=invalidation["Id"])
        assert sorted(paths["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]) == [
            "/card/uploads/my%20cat.jpg",
            "/thumbnails/640x360/uploads/my%20cat.jpg.webp",
        ]
    finally:
        tf.destroy(tf_vars=NAME)
