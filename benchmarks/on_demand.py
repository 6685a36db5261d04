"""First-request latency of a variant: a 12 MP JPEG to a 640-pixel WebP, made by this project's on-demand function
(app.url_handler) and by aws-samples/image-optimization's (Node + sharp, benchmarks/image_optimization/), measured
side by side in one run, against the same local S3 (moto's server).

Each round is a first request for each: a fresh process (the runtime's cold start: imports, clients), the source
read from S3, the variant rendered, stored and answered; the stored variant is removed before the next round.
Both run on the same one core (``taskset``), at the same CPU: Lambda's share at the default memory is a fraction of
a core for both (ours 1,024 MB, the sample's 1,500 MB), so the ratio is what is recorded, not Lambda's seconds.

    python -m benchmarks.on_demand            # make bench-on-demand: installs sharp from npm into build/ first
    python -m benchmarks.on_demand --smoke    # ours only, a small picture, one round (tests/benchmarks)
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).with_name("image_optimization")
NODE_DIR = ROOT / "build" / "bench-image-optimization"
COMMAND = "make bench-on-demand"
SOURCE, THUMBS, TRANSFORMED = "uploads", "thumbs", "transformed"
KEY = "uploads/photo.jpg"

OURS = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {function!r})
import app
path = "/thumbnails/640/uploads/photo.jpg.webp"
answer = app.url_handler({{"version": "2.0", "rawPath": path, "headers": {{}},
                          "requestContext": {{"http": {{"method": "GET", "path": path}}}}}}, None)
ms = (time.perf_counter() - started) * 1000
again = time.perf_counter()
app.url_handler({{"version": "2.0", "rawPath": path, "headers": {{}},
                 "requestContext": {{"http": {{"method": "GET", "path": path}}}}}}, None)
warm = (time.perf_counter() - again) * 1000
import base64
print(json.dumps({{"ms": ms, "warm": warm, "status": answer["statusCode"],
                  "bytes": len(base64.b64decode(answer["body"]))}}))
"""


def photo(width: int, height: int) -> bytes:
    """A photograph's worth of detail (noise over gradients), as a camera's JPEG at quality 90."""
    noise = Image.effect_noise((width, height), 48).convert("L")
    gradient = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def environment(endpoint: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DESTINATION", "ON_DEMAND"))}
    return base | {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        # ours, as the module configures it with on_demand = { presets = { card = "640" }, formats = ["webp"] }
        "DESTINATION_BUCKET": THUMBS,
        "SOURCE_BUCKET": SOURCE,
        "ON_DEMAND_PRESETS": "card=640",
        "ON_DEMAND_FORMATS": "webp",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        # the sample's, as its stack configures it
        "originalImageBucketName": SOURCE,
        "transformedImageBucketName": TRANSFORMED,
        "transformedImageCacheTTL": "max-age=31622400",
        "maxImageSize": "4700000",
    }


def one_core() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def ours(env: dict[str, str]) -> dict:
    code = OURS.format(function=str(ROOT / "function"))
    done = subprocess.run(
        [*one_core(), sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def theirs(env: dict[str, str]) -> dict:
    handler = NODE_DIR / "index.mjs"
    node = [*one_core(), "node", str(NODE_DIR / "runner.mjs"), str(handler), "/uploads/photo.jpg/format=webp,width=640"]
    done = subprocess.run(node, env=env | {"NODE_PATH": str(NODE_DIR / "node_modules")}, capture_output=True,
                          text=True, check=True, cwd=NODE_DIR)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # the sample logs to stdout too


def install_sample() -> None:
    """sharp and the SDK from npm into build/ (for this benchmark only), beside the sample's own file."""
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    if not (NODE_DIR / "node_modules" / "sharp").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), "sharp@0.35.6",
                        "@aws-sdk/client-s3@3"], check=True)  # fmt: skip
    for name in ("index.mjs", "runner.mjs"):
        shutil.copy(SAMPLE / name, NODE_DIR / name)


def measure(rounds: int, width: int, height: int, sample: bool) -> dict[str, list[float]]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()  # the port moto chose
        endpoint = f"http://{host}:{port}"
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                          aws_secret_access_key="bench")  # fmt: skip
        for bucket in (SOURCE, THUMBS, TRANSFORMED):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=SOURCE, Key=KEY, Body=photo(width, height))
        env = environment(endpoint)
        times: dict[str, list[float]] = {"ours": [], "sample": [], "ours_warm": [], "sample_warm": []}
        for _ in range(rounds):  # interleaved: a load change on the machine touches both alike
            s3.delete_object(Bucket=THUMBS, Key="thumbnails/640/uploads/photo.jpg.webp")
            answer = ours(env)
            assert answer["status"] == 200 and answer["bytes"] > 0, answer
            times["ours"].append(answer["ms"])
            times["ours_warm"].append(answer["warm"])
            if sample:
                s3.delete_object(Bucket=TRANSFORMED, Key="uploads/photo.jpg/format=webp,width=640")
                answer = theirs(env)
                assert answer["status"] == 200 and answer["bytes"] > 0, answer
                times["sample"].append(answer["ms"])
                times["sample_warm"].append(answer["warm"])
        return times
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="ours only, a small picture, one round")
    args = parser.parse_args(argv)
    if args.smoke:
        times = measure(1, 800, 600, sample=False)
        print(json.dumps({"ours_ms": round(times["ours"][0], 1), "ours_warm_ms": round(times["ours_warm"][0], 1)}))
        return 0
    install_sample()
    times = measure(args.rounds, 4000, 3000, sample=True)
    mine, sample = statistics.median(times["ours"]), statistics.median(times["sample"])
    mine_warm, sample_warm = statistics.median(times["ours_warm"]), statistics.median(times["sample_warm"])
    print(
        f"12 MP JPEG -> 640 px WebP, median of {args.rounds} on one core: first request (cold) this project "
        f"{mine:.0f} ms, aws-samples/image-optimization {sample:.0f} ms ({sample / mine:.2f}x); a second "
        f"request in the same process {mine_warm:.0f} ms and {sample_warm:.0f} ms ({sample_warm / mine_warm:.2f}x)"
    )
    from devkit import figures

    figures.record("on_demand_first_ms", round(mine), "ms", f"{mine:,.0f} ms", COMMAND, timing=True)
    figures.record("on_demand_sample_ms", round(sample), "ms", f"{sample:,.0f} ms", COMMAND, timing=True)
    figures.record("on_demand_ratio", round(sample / mine, 2), "x", f"{sample / mine:.2f}x", COMMAND, timing=True)
    figures.record("on_demand_warm_ms", round(mine_warm), "ms", f"{mine_warm:,.0f} ms", COMMAND, timing=True)
    figures.record("on_demand_sample_warm_ms", round(sample_warm), "ms", f"{sample_warm:,.0f} ms", COMMAND, timing=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
