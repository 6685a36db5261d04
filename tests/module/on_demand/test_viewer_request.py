"""modules/on-demand/viewer-request.js in a real JavaScript engine (Node's V8, through harness.js): every preset,
format negotiation, unknown presets and the signature cases, with CloudFront's viewer-request event shape."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "modules/on-demand/viewer-request.js"
HARNESS = Path(__file__).with_name("harness.js")
PRESETS = {"thumb": "256", "card": "640x360", "hero": "1600x900"}
AVIF_BROWSER = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"  # Chrome
WEBP_BROWSER = "image/webp,*/*"  # Safari 14-15, old Firefox
PLAIN = "*/*"


def render(presets: dict[str, str] = PRESETS, formats: tuple[str, ...] = ("avif", "webp", "jpeg"), signed=False) -> str:
    """The file as the module renders it: templatefile with one ``config``, which jsonencode writes compact with
    its keys sorted (the plan test compares the two)."""
    config = {"prefix": "thumbnails/", "presets": presets, "formats": list(formats), "signed": signed}
    return TEMPLATE.read_text().replace("${config}", json.dumps(config, sort_keys=True, separators=(",", ":")))


def viewer_request(uri: str, accept: str | None = AVIF_BROWSER, query: dict[str, str] | None = None) -> dict:
    headers = {"host": {"value": "d111111abcdef8.cloudfront.net"}}
    if accept is not None:
        headers["accept"] = {"value": accept}
    return {
        "version": "1.0",
        "context": {"distributionDomainName": "d111111abcdef8.cloudfront.net", "eventType": "viewer-request"},
        "viewer": {"ip": "198.51.100.7"},
        "request": {
            "method": "GET",
            "uri": uri,
            "querystring": {name: {"value": value} for name, value in (query or {}).items()},
            "headers": headers,
            "cookies": {},
        },
    }


def run(code: str, *events: dict) -> list[dict]:
    node = shutil.which("node")
    assert node, "Node is needed to run the CloudFront Function: install nodejs (make setup does)"
    done = subprocess.run(
        [node, str(HARNESS)],
        input=json.dumps({"code": code, "events": list(events)}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_every_preset_becomes_its_stored_key_in_the_best_format_accepted():
    uris = [f"/{name}/uploads/my%20cat.jpg" for name in PRESETS]
    results = run(
        render(), *(viewer_request(uri, accept) for accept in (AVIF_BROWSER, WEBP_BROWSER, PLAIN) for uri in uris)
    )
    got = [r["uri"] for r in results]
    expected = [
        f"/thumbnails/{size}/uploads/my%20cat.jpg{ext}"
        for ext in (".avif", ".webp", ".jpg")
        for size in PRESETS.values()
    ]
    assert got == expected
    for result, uri in zip(results, uris * 3, strict=True):
        assert result["headers"]["x-thumbnail-viewer-path"] == {"value": uri}, "a redirect sends the viewer back here"
        assert result["querystring"] == {} and "x-thumbnail-signature" not in result["headers"]


@pytest.mark.parametrize(
    "formats, accept, extension",
    [
        (("avif", "webp", "jpeg"), "image/avif;q=0,image/webp", ".webp"),  # q=0: refused by the browser
        (("webp", "jpeg"), AVIF_BROWSER, ".webp"),  # AVIF not enabled
        (("avif", "jpeg"), WEBP_BROWSER, ".jpg"),
        (("jpeg",), AVIF_BROWSER, ".jpg"),
        (("avif", "webp"), PLAIN, ".webp"),  # no JPEG enabled: the most widely shown of those that are
        (("avif", "webp", "jpeg"), None, ".jpg"),  # no Accept header at all
        (("png", "webp"), "IMAGE/WEBP", ".webp"),  # media types are case-insensitive
        (("png", "jpeg"), PLAIN, ".jpg"),
    ],
)
def test_format_negotiation(formats, accept, extension):
    (result,) = run(render(formats=formats), viewer_request("/card/a.png", accept))
    assert result["uri"] == "/thumbnails/640x360/a.png" + extension


@pytest.mark.parametrize(
    "uri",
    ["/poster/a.jpg", "/640x360/a.jpg", "/a.jpg", "/card/", "/", "/toString/a.jpg", "/__proto__/a.jpg", "/CARD/a.jpg"],
)
def test_anything_but_a_preset_is_400_before_any_origin(uri):
    (result,) = run(render(), viewer_request(uri))
    assert result["statusCode"] == 400 and "uri" not in result, result
    assert result["headers"]["cache-control"] == {"value": "no-store"}


def test_signed_sizes_need_a_well_formed_signature_which_reaches_the_origin():
    signature = "0f" * 32
    code = render(signed=True)
    good, missing, short, upper, zero, preset = run(
        code,
        viewer_request("/300x200/uploads/a.jpg", WEBP_BROWSER, {"sig": signature}),
        viewer_request("/300x200/uploads/a.jpg"),
        viewer_request("/300x200/uploads/a.jpg", query={"sig": "0f" * 31}),
        viewer_request("/300x200/uploads/a.jpg", query={"sig": "0F" * 32}),
        viewer_request("/0300/uploads/a.jpg", query={"sig": signature}),
        viewer_request("/thumb/uploads/a.jpg", query={"sig": "anything"}),
    )
    assert good["uri"] == "/thumbnails/300x200/uploads/a.jpg.webp"
    assert good["headers"]["x-thumbnail-signature"] == {"value": signature} and good["querystring"] == {}
    assert [r["statusCode"] for r in (missing, short, upper)] == [403, 403, 403]
    assert zero["statusCode"] == 400, "a size is written as the module writes it, or it is an unknown preset"
    assert preset["uri"] == "/thumbnails/256/uploads/a.jpg.avif" and "x-thumbnail-signature" not in preset["headers"]
    (unsigned,) = run(render(), viewer_request("/300x200/uploads/a.jpg", query={"sig": signature}))
    assert unsigned["statusCode"] == 400, "without a signing secret, only presets"


def test_the_file_uses_nothing_the_runtime_lacks():
    """The harness's context has no require, process or Buffer: the function must not need them."""
    code = render()
    for name in ("require(", "process.", "Buffer", "import ", "${", "`"):
        assert name not in code, f"{name} in viewer-request.js: cloudfront-js-2.0 (or the template) would not take it"
    (probe,) = run(
        code + "\nfunction handler(e) { return {uri: [typeof require, typeof process, typeof Buffer].join()}; }",
        viewer_request("/thumb/a.jpg"),
    )
    assert probe["uri"] == "undefined,undefined,undefined", "the harness gives the file no more than the runtime does"
