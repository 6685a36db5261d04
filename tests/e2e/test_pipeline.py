"""The whole pipeline on the local AWS: terraform apply, uploads, thumbnails, plans, an edit, destroy.

The tests run in file order against one applied stack; each says what it leaves behind for the next.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import tftest
from PIL import Image

from devkit import awscli, demo, figures, images
from devkit.endpoint import wait_for
from devkit.stack import LOCAL_RUNTIME

from ..bounds import seconds_for
from ..function.documents import page_pdf

# The complete stack is applied once per worker: the files that use it run on one worker, in file order.
# The complete stack's function: the module's default name for its source bucket, thumbnails-example-uploads.
FUNCTION_NAME = "thumbnails-thumbnails-example-uploads"
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("complete-stack")]
FUNCTION = "module.thumbnails.module.function.aws_lambda_function.this"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/"
PACKAGE = "module.thumbnails.module.function.terraform_data.package[0]"


def photo(width: int, height: int, fmt: str = "JPEG", noise: bool = False) -> bytes:
    im = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    if noise:
        im = Image.frombytes("RGB", (width, height), random.Random(7).randbytes(width * height * 3))
    buf = io.BytesIO()
    im.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return buf.getvalue()


def thumbnail(client, bucket: str, key: str) -> Image.Image:
    def fetch():
        try:
            return client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        except client("s3").exceptions.NoSuchKey:
            return None

    return Image.open(io.BytesIO(wait_for(fetch, 60, what=f"s3://{bucket}/{key}")))


def gone(client, bucket: str, key: str) -> bool:
    """No object is left under ``key`` (a thumbnail, or every size under a prefix)."""
    return "Contents" not in client("s3").list_objects_v2(Bucket=bucket, Prefix=key)


def changed(plan) -> dict[str, list[str]]:
    return {
        a: c["change"]["actions"]
        for a, c in plan.resource_changes.items()
        if c["change"]["actions"] not in (["no-op"], ["read"])
    }


MODULE_POLICIES = ("thumbnails-setup", "thumbnails")  # the role's inline policies (modules/function/iam.tf)
MODULE_STATEMENT = re.compile(r":thumbnails(-setup)?#")  # how localaws's access record names their statements


def module_policy(iam, role: str) -> dict:
    """The module's two inline policies of ``role`` as one document (what the policy_json output holds)."""
    documents = [iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"] for name in MODULE_POLICIES]
    return {"Version": "2012-10-17", "Statement": [s for document in documents for s in document["Statement"]]}


@pytest.fixture(scope="module")
def role_policy(stack, client) -> dict:
    """The role's policies as applied (read by the first test that asks, kept for the access record's test, which
    runs after the destroy)."""
    role = f"{stack.outputs['function_name']}-us-east-1"  # named for the region, so several regions fit one account
    return module_policy(client("iam"), role)


def test_apply_wired_function_layer_permission_and_trigger(stack, client, role_policy):
    out = stack.outputs
    fn = client("lambda").get_function(FunctionName=out["function_name"])["Configuration"]
    assert fn["Runtime"] == LOCAL_RUNTIME and fn["Handler"] == "app.handler" and len(fn["Layers"]) == 1
    assert fn["Timeout"] == 60 and fn["Environment"]["Variables"]["THUMBNAIL_SIZES"] == "1024,256,128x128"
    policy = json.loads(client("lambda").get_policy(FunctionName=out["function_name"])["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:s3:::{out['source_bucket']}"
    assert statement["Condition"]["StringEquals"]["AWS:SourceAccount"] == "123456789012"
    rules = client("s3").get_bucket_notification_configuration(Bucket=out["source_bucket"])
    assert len(rules["LambdaFunctionConfigurations"]) == 18, "jpg jpeg png webp gif heic heif avif pdf, both cases"
    resources = json.dumps(role_policy)
    assert f"log-group:/aws/lambda/{out['function_name']}:*" in resources


def test_upload_with_boto3_makes_thumbnails(stack, client):
    out = stack.outputs
    client("s3").put_object(Bucket=out["source_bucket"], Key="uploads/beach photo.jpg", Body=photo(2000, 1500))
    assert thumbnail(client, out["destination_bucket"], "thumbnails/1024/uploads/beach photo.jpg").size == (1024, 768)
    assert thumbnail(client, out["destination_bucket"], "thumbnails/256/uploads/beach photo.jpg").size == (256, 192)


def test_every_thumbnail_is_written_with_the_headers_metadata_and_tags_configured(stack, client):
    """examples/complete's thumbnail_objects, on every size of an upload (its role may tag: s3:PutObjectTagging)."""
    out, s3 = stack.outputs, client("s3")
    s3.put_object(
        Bucket=out["source_bucket"],
        Key="uploads/credit/lake.jpg",
        Body=photo(1600, 1200),
        Metadata={"photographer": "Ana"},
    )
    for size in ("1024", "256", "128x128"):
        key = f"thumbnails/{size}/uploads/credit/lake.jpg"
        thumbnail(client, out["destination_bucket"], key)  # waits for it
        head = s3.head_object(Bucket=out["destination_bucket"], Key=key)
        assert head["CacheControl"] == "max-age=86400, stale-while-revalidate=86400", key
        assert head["ContentDisposition"] == 'inline; filename="lake.jpg"', key
        assert head["Metadata"]["photographer"] == "Ana", key
        tags = s3.get_object_tagging(Bucket=out["destination_bucket"], Key=key)["TagSet"]
        assert sorted((t["Key"], t["Value"]) for t in tags) == [("example", "complete"), ("kind", "thumbnail")], key


def test_an_iphone_heic_and_an_animated_gif(stack, client):
    """The layer built at apply carries HEIF (pi-heif): a phone's HEIC, stored sideways with its EXIF orientation,
    becomes upright JPEGs; an animated GIF stays animated (WebP), cropped to the avatar box frame by frame."""
    out, s3 = stack.outputs, client("s3")
    s3.put_object(Bucket=out["source_bucket"], Key="uploads/IMG_0001.HEIC", Body=images.heic(1200, 1600, 6))
    s3.put_object(Bucket=out["source_bucket"], Key="uploads/clip.gif", Body=images.animated_gif(480, 320))
    dest = out["destination_bucket"]
    shown = thumbnail(client, dest, "thumbnails/1024/uploads/IMG_0001.HEIC.jpg")
    assert shown.format == "JPEG" and shown.size == (768, 1024), "upright: a portrait"
    assert thumbnail(client, dest, "thumbnails/128x128/uploads/IMG_0001.HEIC.jpg").size == (128, 128)
    clip = thumbnail(client, dest, "thumbnails/128x128/uploads/clip.gif.webp")
    assert clip.format == "WEBP" and clip.size == (128, 128) and clip.n_frames == 3


def test_a_pdf_gets_a_preview_of_its_first_page(stack, client):
    """extra_formats has "pdf": the layer built at apply carries PDFium (pypdfium2), and a PDF uploaded beside the
    photos gets its first page as a WebP under its own name, with its page count and size in the metadata."""
    out, s3 = stack.outputs, client("s3")
    s3.put_object(Bucket=out["source_bucket"], Key="uploads/report.pdf", Body=page_pdf(612, 792, pages=3))
    key = "thumbnails/1024/uploads/report.pdf.webp"
    shown = thumbnail(client, out["destination_bucket"], key)
    assert shown.format == "WEBP" and shown.size[1] == 1024 and abs(shown.size[0] - 791) <= 1, shown.size
    metadata = s3.head_object(Bucket=out["destination_bucket"], Key=key)["Metadata"]
    assert (metadata["page-count"], metadata["page-width"], metadata["page-height"]) == ("3", "612", "792")
    assert thumbnail(client, out["destination_bucket"], "thumbnails/128x128/uploads/report.pdf.webp").size == (128, 128)


def test_upload_with_the_aws_cli_multipart(stack, client, endpoint, tmp_path):
    out = stack.outputs
    big = tmp_path / "big.png"
    big.write_bytes(photo(2400, 1800, "PNG", noise=True))
    assert big.stat().st_size > 8 * 1024 * 1024, "large enough for the CLI's multipart upload"
    subprocess.run(
        [
            awscli.find(),
            "s3",
            "cp",
            str(big),
            f"s3://{out['source_bucket']}/uploads/big.PNG",
            "--endpoint-url",
            endpoint,
        ],
        check=True,
        env=awscli.environment(endpoint),
        capture_output=True,
    )
    assert thumbnail(client, out["destination_bucket"], "thumbnails/256/uploads/big.PNG").size == (256, 192)


def test_corrupt_upload_logs_an_error_and_the_next_upload_still_works(stack, client):
    out, s3 = stack.outputs, client("s3")
    s3.put_object(Bucket=out["source_bucket"], Key="uploads/broken.jpg", Body=photo(800, 600)[:2000])
    s3.put_object(Bucket=out["source_bucket"], Key="uploads/after.jpg", Body=photo(800, 600))
    assert thumbnail(client, out["destination_bucket"], "thumbnails/256/uploads/after.jpg").size == (256, 192)

    def error_logged():
        events = client("logs").filter_log_events(logGroupName=f"/aws/lambda/{out['function_name']}")["events"]
        return [json.loads(e["message"]) for e in events if '"uploads/broken.jpg"' in e["message"]]

    (line,) = wait_for(error_logged, 60, what="the error line for broken.jpg")
    assert line["level"] == "ERROR" and line["outcome"] == "failed" and "truncated" in line["reason"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=out["destination_bucket"])["Contents"]]
    assert not [k for k in keys if "broken" in k]
    assert "Messages" not in client("sqs").receive_message(QueueUrl=out["failed_queue_url"], WaitTimeSeconds=0), (
        "a hopeless upload is reported, not retried into the failure queue"
    )


def test_classic_cli_invoke(stack, client, endpoint, tmp_path):
    out = stack.outputs
    client("s3").put_object(Bucket=out["source_bucket"], Key="uploads/example.jpg", Body=photo(640, 480))
    (tmp_path / "test-event.json").write_text(out["test_event"])
    command = out["invoke_command"].split() + ["--endpoint-url", endpoint]
    assert command[:3] == ["aws", "lambda", "invoke"] and "--cli-binary-format" in command
    subprocess.run(
        [awscli.find(), *command[1:]], cwd=tmp_path, check=True, env=awscli.environment(endpoint), capture_output=True
    )
    summary = json.loads((tmp_path / "out.json").read_text())
    assert summary["processed"][0]["key"] == "uploads/example.jpg"
    assert summary["processed"][0]["thumbnails"] == [
        "thumbnails/1024/uploads/example.jpg",
        "thumbnails/256/uploads/example.jpg",
        "thumbnails/128x128/uploads/example.jpg",
    ]


def test_timeout_on_a_heavy_image_ends_in_the_failure_queue(stack, client):
    """The deployed ZIP and layer, as a second function with a 1-second timeout, asked for a 10000-pixel
    thumbnail of a 120-megapixel PNG: seconds of decoding, resampling and encoding on any machine."""
    out, lam, s3, sqs = stack.outputs, client("lambda"), client("s3"), client("sqs")
    deployed = lam.get_function(FunctionName=out["function_name"])["Configuration"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=out["failed_queue_url"], AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.create_bucket(Bucket="slow-uploads")
    role = deployed["Role"].rsplit("/", 1)[-1]  # its role reads the source only: this bucket too, for this test
    extra = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::slow-uploads/*"},
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": LOGS + "SlowThumbnail:*",
        },
    ]
    client("iam").put_role_policy(
        RoleName=role,
        PolicyName="slow-uploads",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": extra}),
    )
    with open(stack.directory / out["function_zip_path"], "rb") as code:
        arn = lam.create_function(
            FunctionName="SlowThumbnail",
            Runtime=deployed["Runtime"],
            Role=deployed["Role"],
            Handler="app.handler",
            Code={"ZipFile": code.read()},
            Layers=[layer["Arn"] for layer in deployed["Layers"]],
            Timeout=1,
            MemorySize=2048,  # enough for the picture (the function refuses what would not fit its memory)
            Environment={
                "Variables": {
                    **deployed["Environment"]["Variables"],
                    "MAX_IMAGE_PIXELS": "150000000",
                    "THUMBNAIL_SIZES": "10000",
                }
            },
        )["FunctionArn"]
    try:
        lam.put_function_event_invoke_config(
            FunctionName="SlowThumbnail",
            MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}},
        )
        s3.put_bucket_notification_configuration(
            Bucket="slow-uploads",
            NotificationConfiguration={
                "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        s3.put_object(Bucket="slow-uploads", Key="huge.png", Body=photo(12000, 10000, "PNG"))
        messages = wait_for(
            lambda: sqs.receive_message(QueueUrl=out["failed_queue_url"], WaitTimeSeconds=5).get("Messages"),
            timeout=90,
            what="the failed event in the queue",
        )
        record = json.loads(messages[0]["Body"])
        assert record["requestContext"]["condition"] == "RetriesExhausted"
        assert record["requestContext"]["approximateInvokeCount"] == 2
        assert record["responsePayload"]["errorType"] == "Sandbox.Timedout"
        assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "huge.png"
    finally:
        s3.delete_object(Bucket="slow-uploads", Key="huge.png")
        s3.delete_bucket(Bucket="slow-uploads")
        lam.delete_function(FunctionName="SlowThumbnail")
        client("iam").delete_role_policy(RoleName=role, PolicyName="slow-uploads")
        client("logs").delete_log_group(logGroupName="/aws/lambda/SlowThumbnail")  # made by its invocations


WHO_AM_I = """
import os, boto3

def handler(event, context):
    return {"arn": boto3.client("sts").get_caller_identity()["Arn"], "token": bool(os.environ["AWS_SESSION_TOKEN"])}
"""


def test_a_function_runs_as_its_role(stack, client):
    """Lambda's credentials: a session of the execution role, named for the function (given its own log group)."""
    out, lam, iam = stack.outputs, client("lambda"), client("iam")
    role = lam.get_function_configuration(FunctionName=out["function_name"])["Role"]
    logs = {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": LOGS + "WhoAmI:*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [logs]})
    iam.put_role_policy(RoleName=role.rsplit("/", 1)[-1], PolicyName="who-am-i", PolicyDocument=document)
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("who.py", WHO_AM_I)
    lam.create_function(
        FunctionName="WhoAmI",
        Runtime=LOCAL_RUNTIME,
        Role=role,
        Handler="who.handler",
        Code={"ZipFile": code.getvalue()},
        # A core, and a timeout derived from what the function does (boto3 imported, a client made) on this machine
        # as it is now: Lambda's default 3 s at 128 MB's CPU timed out under load.
        MemorySize=1769,
        Timeout=seconds_for("import boto3; boto3.client('sts', region_name='us-east-1')"),
    )
    try:
        answer = json.loads(lam.invoke(FunctionName="WhoAmI")["Payload"].read())
    finally:
        lam.delete_function(FunctionName="WhoAmI")
        client("logs").delete_log_group(logGroupName="/aws/lambda/WhoAmI")
        iam.delete_role_policy(RoleName=role.rsplit("/", 1)[-1], PolicyName="who-am-i")
    role_name = role.rsplit("/", 1)[-1]
    assert answer == {"arn": f"arn:aws:sts::123456789012:assumed-role/{role_name}/WhoAmI", "token": True}


def without_statement(client, role: str, sid: str) -> dict:
    """The role's inline policy without the statement ``sid``; returns the policy as it was."""
    iam = client("iam")
    policy = iam.get_role_policy(RoleName=role, PolicyName="thumbnails")["PolicyDocument"]
    kept = [s for s in policy["Statement"] if s.get("Sid") != sid]
    assert len(kept) == len(policy["Statement"]) - 1, f"the role has a statement {sid}"
    iam.put_role_policy(
        RoleName=role, PolicyName="thumbnails", PolicyDocument=json.dumps({**policy, "Statement": kept})
    )
    return policy


def test_without_its_read_statement_the_function_is_denied_as_in_aws(stack, client):
    """ReadSources taken from the role: the next upload fails with S3's AccessDenied in the function, which logs
    it and makes no thumbnail; a bucket policy that denies the function wins over its restored role the same way."""
    out, s3, iam = stack.outputs, client("s3"), client("iam")
    role = f"{out['function_name']}-us-east-1"
    group = f"/aws/lambda/{out['function_name']}"

    def failure(key: str) -> dict:
        def logged():
            events = client("logs").filter_log_events(logGroupName=group)["events"]
            return [json.loads(e["message"]) for e in events if f'"{key}"' in e["message"] and "ERROR" in e["message"]]

        (line,) = wait_for(logged, 60, what=f"the error line for {key}")
        return line

    policy = without_statement(client, role, "ReadSources")
    try:
        s3.put_object(Bucket=out["source_bucket"], Key="uploads/denied.jpg", Body=photo(300, 200))
        line = failure("uploads/denied.jpg")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName="thumbnails", PolicyDocument=json.dumps(policy))
    assert line["outcome"] == "failed" and "download: AccessDenied" in line["reason"]
    assert gone(client, out["destination_bucket"], "thumbnails/256/uploads/denied.jpg")

    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NotTheThumbnailer",
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::123456789012:role/{role}"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{out['source_bucket']}/uploads/private/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=out["source_bucket"], Policy=json.dumps(deny))
    try:
        s3.put_object(Bucket=out["source_bucket"], Key="uploads/private/denied.jpg", Body=photo(300, 200))
        line = failure("uploads/private/denied.jpg")
    finally:
        s3.delete_bucket_policy(Bucket=out["source_bucket"])
    assert line["outcome"] == "failed" and "download: AccessDenied" in line["reason"]


def test_make_tune_on_a_small_set_produces_the_table_and_the_chart(stack, client, endpoint, tmp_path, capsys):
    """benchmarks/tune.py on the applied stack (as with --endpoint after make demo KEEP=1): the benchmark inputs at a
    tenth of their size, two memory sizes, one run each. The memory size is put back (the next plan is clean)."""
    from benchmarks import tune

    out = stack.outputs
    argv = ["--endpoint", endpoint, "--function", out["function_name"], "--bucket", out["source_bucket"]]
    assert tune.main([*argv, "--small", "--memory", "512,1769", "--repeat", "1", "--output", str(tmp_path)]) == 0
    table = (tmp_path / "tune.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| ") and " MB |" in line]
    assert len(rows) == 2 * len(tune.default_pictures(tmp_path / "in", small=True)), table
    assert all("failed" not in row for row in rows), table
    assert "cheapest: " in table and "fastest: " in table and tune.prices.READ in table
    assert (tmp_path / "tune.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert client("lambda").get_function_configuration(FunctionName=out["function_name"])["MemorySize"] == 1024
    assert "cheapest: " in capsys.readouterr().out


def test_second_plan_shows_no_changes(stack):
    assert changed(stack.tf.plan(output=True)) == {}


def test_fresh_checkout_with_state_plans_no_change(stack):
    builds = stack.directory / ".terraform" / "thumbnails"
    assert sorted(p.suffix for p in builds.iterdir()) == [".zip", ".zip"]
    for zip_file in builds.iterdir():
        zip_file.unlink()  # as on CI: state kept, build output gone
    assert changed(stack.tf.plan(output=True)) == {}


def test_editing_a_source_file_updates_the_function_only(stack, client):
    app = stack.workspace / "function" / "app.py"
    app.write_text(app.read_text() + "\n# edited by the end-to-end test\n")
    assert changed(stack.tf.plan(output=True)) == {FUNCTION: ["update"], PACKAGE: ["delete", "create"]}
    stack.tf.apply()  # the function ZIP is rebuilt (it was deleted above); the layer, unchanged, is not needed
    assert changed(stack.tf.plan(output=True)) == {}
    out = stack.outputs
    client("s3").put_object(Bucket=out["source_bucket"], Key="uploads/edited.jpg", Body=photo(300, 200))
    assert thumbnail(client, out["destination_bucket"], "thumbnails/256/uploads/edited.jpg").size == (256, 171)


def test_a_burst_of_awkward_uploads_is_all_thumbnailed(stack, client, record_property):
    """Keys with spaces, '+' and 'ü', all at once: nothing is lost. The destroy below then empties the buckets
    through ListObjectVersions, which loops forever when '+' is misencoded (localaws seam item 8)."""
    out, s3 = stack.outputs, client("s3")
    data = photo(320, 240)
    keys = [f"uploads/burst {i} a+b ü.jpg" for i in range(40)]
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=out["source_bucket"], Key=key, Body=data), keys))
    wanted = {f"thumbnails/256/{key}" for key in keys}

    def all_made() -> bool:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=out["destination_bucket"], Prefix="thumbnails/256/")
        return wanted <= {o["Key"] for page in pages for o in page.get("Contents", [])}

    wait_for(all_made, 300, "a thumbnail of every upload in the burst")
    seconds = time.monotonic() - started
    record_property(
        "throughput",
        f"localaws burst: {len(keys)} uploads with awkward keys thumbnailed in "
        f"{seconds:.1f} s ({len(keys) / seconds:.1f} uploads/s)",
    )
    command = f"{figures.RECORDING}=1 .venv/bin/python -m pytest tests/e2e/test_pipeline.py"
    figures.timed("localaws_burst_s", round(seconds, 2), "s", f"{seconds:.1f} s", command)
    rate = len(keys) / seconds
    figures.timed("localaws_burst_uploads_per_s", round(rate, 1), "uploads/s", f"{rate:.0f} uploads a second", command)


def test_one_warm_environment_serves_a_hundred_invocations_leaving_tmp_empty_and_its_clients_made_once(
    stack, client, localaws_dir
):
    """The behaviours that depend on warm reuse: /tmp must not fill up, clients must be made once per environment.
    The function's DEBUG lines (log_level = "DEBUG") say when it makes a client."""
    out, s3, lam = stack.outputs, client("s3"), client("lambda")
    name = out["function_name"]
    key = "uploads/warm one.jpg"
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(640, 480))
    thumbnail(client, out["destination_bucket"], f"thumbnails/256/{key}")  # its own notification's run is over
    configured = lam.get_function_configuration(FunctionName=name)["LoggingConfig"]
    assert configured["LogFormat"] == "JSON", "the module asks for Lambda's JSON log format"
    lam.update_function_configuration(FunctionName=name, LoggingConfig={**configured, "ApplicationLogLevel": "DEBUG"})
    event = json.loads((Path(__file__).parents[2] / "events" / "s3-put.json").read_text())
    record = event["Records"][0]["s3"]
    record["bucket"].update(name=out["source_bucket"], arn=f"arn:aws:s3:::{out['source_bucket']}")
    record["object"].update(key="uploads/warm+one.jpg", size=1)
    try:
        for _ in range(100):
            response = lam.invoke(FunctionName=name, Payload=json.dumps(event))
            assert "FunctionError" not in response, response["Payload"].read()
    finally:
        lam.update_function_configuration(FunctionName=name, LoggingConfig=configured)
    environments = list((localaws_dir / "environments").glob(f"{name}.*"))
    assert len(environments) == 1, f"one warm environment served all of them: {environments}"
    assert list((environments[0] / "tmp").iterdir()) == [], "the function leaves nothing behind in /tmp"
    logs = client("logs")
    group = configured["LogGroup"]
    streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime")["logStreams"]
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, logStreamNames=[streams[-1]["logStreamName"]]
    )
    lines = [json.loads(e["message"]) for page in pages for e in page["events"] if e["message"].startswith("{")]
    reports = [line["record"]["metrics"] for line in lines if line.get("type") == "platform.report"]
    assert len(reports) == 100 and sum("initDurationMs" in r for r in reports) == 1, "one cold start, 99 warm"
    made = [line["service"] for line in lines if line.get("message") == "client made"]
    assert made == ["s3"], "its S3 client is made once per environment"


def test_the_demos_printed_commands_run_as_printed_with_the_machines_aws_cli(stack, client, endpoint, tmp_path):
    """What `make demo KEEP=1` prints to try next, each line run by bash as printed, after the export line, with
    the machine's AWS CLI v2 (Debian's 2.9 ignores AWS_ENDPOINT_URL: the lines name the endpoint). Leaves nothing."""
    images.samples(tmp_path)
    out = stack.outputs
    export, *commands = demo.try_commands(endpoint, out, awscli.find(), tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # no endpoint, no credentials
    thumb = "thumbnails/256/uploads/my lake.webp"
    for line in commands:
        done = subprocess.run(["bash", "-c", f"{export}\n{line}"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        if " s3 cp " in line:
            assert thumbnail(client, out["destination_bucket"], thumb).size[0] == 256
        if " s3 ls " in line:
            assert thumb in done.stdout
        if " logs tail " in line:
            assert "REPORT RequestId" in done.stdout or "platform.report" in done.stdout, done.stdout[-2000:]
    wait_for(lambda: gone(client, out["destination_bucket"], thumb), 60, "the thumbnails to go with the picture")


def test_a_renamed_function_replaces_the_old_one_and_its_build(stack, client):
    """The stack is left renamed: the destroy below removes whatever the state holds. The bucket's rules name the old
    function, which the shared-bucket check cannot tell from another team's: the plan stops, naming it, until the
    rename is applied with replace_existing_notifications."""
    builds = stack.directory / ".terraform" / "thumbnails"
    with pytest.raises(tftest.TerraformTestError) as stopped:
        stack.tf.plan(output=True, tf_vars={"function_name": "RenamedThumbnail"})
    assert f"function:{stack.outputs['function_name']}" in str(stopped.value.cmd_error or stopped.value)
    renamed = {"function_name": "RenamedThumbnail", "replace_existing_notifications": "true"}
    stack.tf.apply(tf_vars=renamed)
    after = {p.name for p in builds.glob("function-*.zip")}
    assert after and all(n.startswith("function-RenamedThumbnail-") for n in after), (
        f"the old name's ZIP goes with the build that made it: {after}"
    )
    functions = {f["FunctionName"] for f in client("lambda").list_functions()["Functions"]}
    assert "RenamedThumbnail" in functions and stack.outputs["function_name"] not in functions
    assert changed(stack.tf.plan(output=True, tf_vars=renamed)) == {}, "and it applies again: nothing is stuck"
    out = stack.outputs
    client("s3").put_object(Bucket=out["source_bucket"], Key="uploads/renamed.jpg", Body=photo(300, 200))
    assert thumbnail(client, out["destination_bucket"], "thumbnails/256/uploads/renamed.jpg").size == (256, 171)


def test_destroy_leaves_nothing(stack, client):
    stack.tf.destroy()
    out = stack.outputs
    assert client("lambda").list_functions()["Functions"] == []
    assert client("lambda").list_layers()["Layers"] == []
    assert [r["RoleName"] for r in client("iam").list_roles()["Roles"]] == []
    assert client("s3").list_buckets()["Buckets"] == []
    assert client("sqs").list_queues().get("QueueUrls", []) == []
    groups = client("logs").describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == [], f"left behind: {groups}"
    assert out["function_name"] == FUNCTION_NAME, "the module's default name, of the source bucket's"


# Statements of the role's policy (or single actions of one, "Sid action") that no end-to-end test of the
# complete stack needs, and why.
DELIBERATELY_UNUSED: dict[str, str] = {}
# Calls denied on purpose: test_without_its_read_statement_the_function_is_denied_as_in_aws.
DENIED_ON_PURPOSE = ("uploads/denied.jpg", "uploads/private/denied.jpg")


def test_every_call_was_allowed_and_every_statement_was_used(role_policy, localaws_dir):
    """localaws's access record of this session (the complete stack's function, its copies and the delivery
    stacks, which share the module's policy): nothing denied but on purpose, and every action of every statement
    of the role's policy the one that allowed some call -- or listed above with the reason it is not needed."""
    from localaws.access import FILE_NAME, read

    record = read(localaws_dir / FILE_NAME)
    denied = [a for a in record if not a.allowed and not a.resource.endswith(DENIED_ON_PURPOSE)]
    assert denied == [], "calls the role's policy does not allow: add them to modules/function's policy"
    used = {
        (a.statement.split("#", 1)[1], a.action)
        for a in record
        if a.allowed and MODULE_STATEMENT.search(a.statement or "")
    }
    wanted = {
        (s["Sid"], action)
        for s in role_policy["Statement"]
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    unused = {f"{sid} {action}" for sid, action in wanted - used}
    unused -= {f"{sid} {action}" for sid, action in wanted if sid in DELIBERATELY_UNUSED}
    assert unused - set(DELIBERATELY_UNUSED) == set(), (
        "permissions no test used: remove them from modules/function's policy, or list them in DELIBERATELY_UNUSED "
        f"with why (used: {sorted(used)})"
    )
    listed = {key.split(" ")[0] for key in DELIBERATELY_UNUSED}
    assert listed <= {sid for sid, _ in wanted}, "a statement listed as unused is no longer in the policy"


def test_without_any_one_statement_some_call_of_the_suite_is_denied(role_policy, localaws_dir):
    """Each call the complete stack's function made, evaluated again (localaws/policy.py) with the statement that
    allowed it taken out of the role's policy: for every statement, some call is then denied -- so removing any
    one of them fails the pipeline with AccessDenied, as test_without_its_read_statement_... shows for one."""
    from localaws.access import FILE_NAME, read
    from localaws.policy import Policy, Request, evaluate

    record = [a for a in read(localaws_dir / FILE_NAME) if a.allowed and a.role.endswith(f"/{FUNCTION_NAME}-us-east-1")]
    by_statement: dict[str, list] = {}
    for access in record:
        if MODULE_STATEMENT.search(access.statement or ""):
            by_statement.setdefault(access.statement.split("#", 1)[1], []).append(access)
    assert by_statement, "the complete stack's function made calls"
    session = f"arn:aws:sts::123456789012:assumed-role/{FUNCTION_NAME}-us-east-1/{FUNCTION_NAME}"
    for sid, calls in by_statement.items():
        kept = {**role_policy, "Statement": [s for s in role_policy["Statement"] if s.get("Sid") != sid]}
        still = [
            a
            for a in calls
            if evaluate(
                Request(a.action, a.resource, session, a.role, "123456789012", None, a.context),
                [Policy("without", kept)],
            ).allowed
        ]
        assert len(still) < len(calls), f"without {sid}, every call it allowed is still allowed: it is redundant"
