"""Plan tests of the root module: what it wires, and every validation it owns."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from devkit import release
from thumbnailer.picture import memory

from .conftest import BASE
from .planner import ROOT, changes, error_group, error_lookup

FUNCTION = "module.function.aws_lambda_function.this"
POLICY = "module.function.data.aws_iam_policy_document.lambda"
SETUP = "module.function.data.aws_iam_policy_document.setup"
EVENTS = ("s3:LifecycleExpiration:*", "s3:ObjectCreated:*", "s3:ObjectRemoved:*")  # with delete_thumbnails, sorted


def statements(plan) -> dict[str, dict]:
    """The role's statements: its two policies' documents together (what policy_json holds)."""
    return {s["sid"]: s for doc in (POLICY, SETUP) for s in changes(plan, doc)["statement"]}


def test_the_two_buckets_alone_make_a_thumbnail_of_every_upload(root):
    plan = root.plan(source_bucket="photos", destination_bucket="thumbs", account_id="111122223333")
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert env["DESTINATION_BUCKET"] == "thumbs" and env["DESTINATION_PREFIX"] == "thumbnails/"
    assert env["SOURCE_PREFIX"] == ""
    blocks = changes(plan, "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert {b["filter_prefix"] for b in blocks} == {None}, "every key"
    assert changes(plan, FUNCTION)["function_name"] == "thumbnails-photos", "named for its bucket"


def test_function_configuration(root):
    largest = memory.largest_jpeg(1024)  # the plan-time check and the function's own figures agree
    plan = root.plan(**BASE, thumbnail_sizes=[512, 128], quality=70, output_format="webp", max_image_pixels=largest)
    fn = changes(plan, FUNCTION)
    assert fn["function_name"] == "thumbnails-photos"
    assert (fn["handler"], fn["runtime"], fn["architectures"]) == ("app.handler", "python3.13", ["x86_64"])
    assert fn["timeout"] == 60 and fn["timeout"] > 3
    assert fn["memory_size"] == 1024 and fn["ephemeral_storage"] == [{"size": 1024}]
    assert fn["logging_config"] == [
        {"log_format": "JSON", "application_log_level": "INFO", "system_log_level": "INFO",
         "log_group": "/aws/lambda/thumbnails-photos"}
    ], "Lambda's JSON log format, its levels, into the module's own log group"  # fmt: skip
    assert fn["environment"][0]["variables"] == {
        "DESTINATION_BUCKET": "thumbs",
        "DESTINATION_PREFIX": "thumbnails/",
        "THUMBNAIL_SIZES": "512,128",
        "OUTPUT_FORMAT": "webp",
        "QUALITY": "70",
        "MAX_IMAGE_PIXELS": str(largest),
        "DELETE_THUMBNAILS": "true",
        "CROP": "entropy",
        "ANIMATION": "true",
        "ANIMATION_MAX_PIXELS": "50000000",
        "ANIMATION_MAX_FRAMES": "1000",
        "VIDEO_POSTER_MS": "0",
        "EXTRA_FORMATS": "",
        "SOURCE_BUCKET_OWNER": "111122223333",
        "DESTINATION_BUCKET_OWNER": "444455556666",
        "MAX_OBJECT_BYTES": "104857600",
        "SOURCE_METADATA": "true",
        "OUTPUT_FORMATS": "",
        "COLOUR": "keep",
        "JPEG_PROGRESSIVE": "false",
        "CACHE_CONTROL": "max-age=86400, stale-while-revalidate=86400",
        "CONTENT_DISPOSITION": "inline",
        "COPY_METADATA": "",
        "STORAGE_CLASS": "STANDARD",
        "THUMBNAIL_TAGS": "",
        "SOURCE_BUCKET": "photos",
        "SOURCE_PREFIX": "",
        "SOURCE_SUFFIXES": ".jpg,.jpeg,.png,.webp,.gif,.JPG,.JPEG,.PNG,.WEBP,.GIF",
        "RELEASE_VERSION": f"{release.version()}+build",  # built here, from this module version's sources
    }
    assert "module.layer[0].aws_lambda_layer_version.this" in " ".join(plan.resource_changes)


def test_source_code_hash_is_known_at_plan_and_describes_the_sources(root):
    fn = changes(root.plan(**BASE), FUNCTION)
    source = ROOT / "function"
    files = sorted(
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    )
    lines = [f"{f} {hashlib.sha256((source / f).read_bytes()).hexdigest()}" for f in files]
    lines.append(
        "build_function.py " + hashlib.sha256((ROOT / "modules/function/build_function.py").read_bytes()).hexdigest()
    )
    assert fn["source_code_hash"] == hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_editing_a_source_file_changes_the_hash(root, tmp_path: Path):
    """Three copies of the sources, planned in one Terraform run: as they are, with a bytecode cache, edited."""
    copies = {name: tmp_path / name for name in ("as-is", "cached", "edited")}
    for copy in copies.values():
        shutil.copytree(ROOT / "function", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copies["cached"] / "__pycache__").mkdir()
    (copies["cached"] / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"cache")
    (copies["edited"] / "app.py").write_text((copies["edited"] / "app.py").read_text() + "\n# edited\n")
    configurations = {name: {**BASE, "build": {"source_dir": str(copy)}} for name, copy in copies.items()}
    root.prefetch([((), args) for args in configurations.values()])
    hashes = {name: changes(root.plan(**args), FUNCTION)["source_code_hash"] for name, args in configurations.items()}
    assert hashes["cached"] == hashes["as-is"], "a bytecode cache is not a source"
    assert hashes["edited"] != hashes["as-is"]


def test_iam_is_least_privilege(root):
    plan = root.plan(**BASE, filter_prefix="in/", destination_prefix="out/")
    s = statements(plan)
    assert set(s) == {"ReadSources", "FindSources", "WriteThumbnails", "FindThumbnails", "WriteOwnLogs"}
    assert s["ReadSources"]["actions"] == ["s3:GetObject"]
    assert s["ReadSources"]["resources"] == ["arn:aws:s3:::photos/in/*"]
    assert s["WriteThumbnails"]["actions"] == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert s["WriteThumbnails"]["resources"] == ["arn:aws:s3:::thumbs/out/*"]
    for sid, bucket, prefix in (("FindSources", "photos", "in/*"), ("FindThumbnails", "thumbs", "out/*")):
        assert (s[sid]["actions"], s[sid]["resources"]) == (["s3:ListBucket"], [f"arn:aws:s3:::{bucket}"])
        assert ("StringLike", "s3:prefix", [prefix]) in [
            (c["test"], c["variable"], c["values"]) for c in s[sid]["condition"]
        ], "listing is limited to the prefix"
    assert s["WriteOwnLogs"]["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert "*" not in json.dumps([st["resources"] for st in s.values()]).replace("/*", "")
    owners = {"ReadSources": "111122223333", "FindSources": "111122223333", "WriteThumbnails": "444455556666"}
    for sid, owner in {**owners, "FindThumbnails": "444455556666"}.items():
        assert ("StringEquals", "s3:ResourceAccount", [owner]) in [
            (c["test"], c["variable"], c["values"]) for c in s[sid]["condition"]
        ], f"{sid} holds only for a bucket of {owner}"
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert (env["SOURCE_BUCKET_OWNER"], env["DESTINATION_BUCKET_OWNER"]) == ("111122223333", "444455556666")
    trust = json.loads(changes(plan, "module.function.aws_iam_role.lambda[0]")["assume_role_policy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}, "account_id"
    assert changes(plan, "aws_cloudwatch_log_group.lambda")["name"] == "/aws/lambda/thumbnails-photos"
    assert changes(plan, "aws_cloudwatch_log_group.lambda")["retention_in_days"] == 30


def test_delete_thumbnails_wires_removal_events_and_their_permissions(root):
    blocks = changes(root.plan(**BASE), "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert {tuple(b["events"]) for b in blocks} == {EVENTS}
    plan = root.plan(**BASE, delete_thumbnails=False)
    blocks = changes(plan, "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert {tuple(b["events"]) for b in blocks} == {("s3:ObjectCreated:*",)}
    s = statements(plan)
    assert "FindThumbnails" not in s and s["WriteThumbnails"]["actions"] == ["s3:PutObject"]
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert env["DELETE_THUMBNAILS"] == "false"


def test_an_older_pillow_makes_amazon_linux_2_runtimes_plan(root, tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# for python3.11\nPillow == 12.2.0\n")
    plan = root.plan(**BASE, runtime="python3.11", build={"requirements_file": str(requirements)})
    assert changes(plan, FUNCTION)["runtime"] == "python3.11"
    requirements.write_text("pillow~=12.3\n")
    error = root.plan_error(**BASE, runtime="python3.10", build={"requirements_file": str(requirements)})
    assert "or point build.requirements_file at a file that pins pillow<12.3" in error


def test_amazon_linux_2_runtimes_get_the_newest_pillow_that_loads_there(root):
    """python3.10/3.11 run on Amazon Linux 2: their layer is built from layer/amazon-linux-2's lock (the layer's
    content address is the same as with that lock named explicitly)."""
    build = "module.layer[0].terraform_data.build[0]"
    plan = root.plan(**BASE, runtime="python3.11")
    assert changes(plan, FUNCTION)["runtime"] == "python3.11"
    al2 = str(ROOT / "layer" / "amazon-linux-2" / "requirements.lock")
    named = root.plan(**BASE, runtime="python3.11", build={"requirements_file": al2})
    assert changes(plan, build)["input"]["zip"] == changes(named, build)["input"]["zip"]
    lock = (ROOT / "layer" / "amazon-linux-2" / "requirements.lock").read_text()
    assert "pillow==12.2.0" in lock, "the newest Pillow with manylinux2014 wheels"


def test_python314_is_the_provider_s_to_refuse(root):
    """The module admits python3.14; hashicorp/aws 5.x refuses it with its own error (6.21 and later accept it)."""
    error = root.plan_error(**BASE, runtime="python3.14")
    assert "runtime must be one of" not in error, "not the module's validation"
    assert "to be one of" in error and '"python3.13"' in error, "the provider's own list"


def test_failure_destination_gets_the_send_permission_and_the_invoke_config(root):
    queue = "arn:aws:sqs:us-east-1:111122223333:failed"
    plan = root.plan(
        **BASE, on_failure_destination_arn=queue, maximum_retry_attempts=1, maximum_event_age_in_seconds=600
    )
    s = statements(plan)["SendFailedEvents"]
    assert (s["actions"], s["resources"]) == (["sqs:SendMessage"], [queue])
    function = plan["configuration"]["root_module"]["module_calls"]["under_test"]["module"]["module_calls"]
    called = function["function"]["module"]
    resources = {r["address"]: r for r in called["resources"]}
    assert resources["aws_lambda_function.this"]["depends_on"] == [
        "aws_cloudwatch_log_group.lambda",
        "aws_iam_role_policy.setup",
    ], "the function waits for what Lambda checks at creation, not for the destination"
    assert resources["aws_lambda_function_event_invoke_config.this"]["depends_on"] == ["aws_iam_role_policy.lambda"]
    for output in ("function_arn", "function_name"):
        assert called["outputs"][output]["depends_on"] == [
            "aws_iam_role_policy.lambda",
            "aws_iam_role_policy_attachment.extra",
        ], "a trigger is made only once the role may do the work"
    assert "SendFailedEvents" not in {s["sid"] for s in changes(plan, SETUP)["statement"]}
    config = changes(plan, "aws_lambda_function_event_invoke_config.this")
    assert config["maximum_retry_attempts"] == 1 and config["maximum_event_age_in_seconds"] == 600
    assert config["destination_config"][0]["on_failure"][0]["destination"] == queue


def test_kms_keys_are_granted_only_when_given(root):
    key = "arn:aws:kms:us-east-1:111122223333:key/1234"
    s = statements(root.plan(**BASE, bucket_kms_key_arns=[key]))["UseBucketKeys"]
    assert s["actions"] == ["kms:Decrypt", "kms:GenerateDataKey"] and s["resources"] == [key]
    assert [(c["test"], c["variable"], c["values"]) for c in s["condition"]] == [
        ("StringEquals", "kms:ViaService", ["s3.us-east-1.amazonaws.com"])
    ], "only through S3"


def test_what_the_scanners_ask_for_is_offered(root):
    """KMS for the environment and the logs, X-Ray, code signing, a dead-letter queue, a VPC: each wires the
    function and, where it needs one, the narrowest statement."""
    key = "arn:aws:kms:us-east-1:123456789012:key/env"
    logs_key = "arn:aws:kms:us-east-1:123456789012:key/logs"
    signing = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1"
    dlq = "arn:aws:sqs:us-east-1:123456789012:dead"
    vpc = {"subnet_ids": ["subnet-1", "subnet-2"], "security_group_ids": ["sg-1"]}
    plan = root.plan(
        **BASE,
        kms_key_arn=key,
        cloudwatch_logs_kms_key_arn=logs_key,
        tracing_mode="Active",
        code_signing_config_arn=signing,
        dead_letter_target_arn=dlq,
        vpc=vpc,
    )
    fn = changes(plan, FUNCTION)
    assert (fn["kms_key_arn"], fn["code_signing_config_arn"]) == (key, signing)
    assert fn["tracing_config"] == [{"mode": "Active"}] and fn["dead_letter_config"] == [{"target_arn": dlq}]
    assert fn["vpc_config"][0]["subnet_ids"] == ["subnet-1", "subnet-2"]
    assert changes(plan, "module.function.aws_cloudwatch_log_group.lambda")["kms_key_id"] == logs_key
    s = statements(plan)
    assert (s["WriteTraces"]["actions"], s["WriteTraces"]["resources"]) == (
        ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
        ["*"],
    ), "X-Ray has no resource-level permissions"
    assert (s["SendDeadLetters"]["actions"], s["SendDeadLetters"]["resources"]) == (["sqs:SendMessage"], [dlq])
    assert "arn:aws:ec2:us-east-1:*:subnet/subnet-1" in s["AttachToSubnets"]["resources"]
    assert "*" not in s["AttachToSubnets"]["resources"] and "*" not in s["ManageNetworkInterfaces"]["resources"]
    default = changes(root.plan(**BASE), FUNCTION)
    assert default["tracing_config"] == [{"mode": "PassThrough"}] and default["vpc_config"] == []
    assert not {"WriteTraces", "SendDeadLetters", "AttachToSubnets"} & set(statements(root.plan(**BASE)))


def test_alarms_watch_refusals_failures_errors_and_throttles(root):
    topic = "arn:aws:sns:us-east-1:123456789012:oncall"
    plan = root.plan(**BASE, alarms={"topic_arn": topic, "refused": 3}, outputs=("alarm_arns",))
    alarms = {
        name: changes(plan, f'module.alarms[0].aws_cloudwatch_metric_alarm.this["{name}"]')
        for name in ("refused", "transient-failures", "errors", "throttles")
    }
    assert {n: (a["namespace"], a["metric_name"]) for n, a in alarms.items()} == {
        "refused": ("Thumbnails", "Refused"),
        "transient-failures": ("Thumbnails", "TransientFailures"),
        "errors": ("AWS/Lambda", "Errors"),
        "throttles": ("AWS/Lambda", "Throttles"),
    }
    assert alarms["refused"]["threshold"] == 3 and alarms["refused"]["dimensions"] == {
        "FunctionName": "thumbnails-photos"
    }
    assert all(a["alarm_actions"] == [topic] == a["ok_actions"] for a in alarms.values())
    assert not [a for a in root.plan(**BASE).resource_changes if "module.alarms" in a], "off by default"


def test_permission_for_s3_with_source_arn_and_account(root):
    permission = changes(root.plan(**BASE), "s3_trigger[0].aws_lambda_permission.s3")
    assert permission["principal"] == "s3.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["source_arn"] == "arn:aws:s3:::photos"
    assert permission["source_account"] == "111122223333"


def test_one_notification_rule_per_suffix(root):
    plan = root.plan(**BASE, filter_prefix="in/", filter_suffixes=[".jpg", ".JPG"])
    blocks = changes(plan, "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert sorted((b["filter_prefix"], b["filter_suffix"], tuple(b["events"])) for b in blocks) == [
        ("in/", ".JPG", EVENTS),
        ("in/", ".jpg", EVENTS),
    ]
    default = changes(root.plan(**BASE), "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert {b["filter_suffix"] for b in default} == {
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".gif",
        ".JPG",
        ".JPEG",
        ".PNG",
        ".WEBP",
        ".GIF",
    }


def test_extra_formats_reach_the_function_the_layer_and_the_suffix_filter(root):
    plan = root.plan(**BASE, extra_formats=["heif", "avif"], output_format="avif", thumbnail_sizes=[512, "96x96"])
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert (env["EXTRA_FORMATS"], env["OUTPUT_FORMAT"], env["THUMBNAIL_SIZES"]) == ("heif,avif", "avif", "512,96x96")
    blocks = changes(plan, "aws_s3_bucket_notification.this[0]")["lambda_function"]
    assert {".heic", ".heif", ".avif", ".HEIC", ".HEIF", ".AVIF", ".jpg", ".GIF"} <= {
        b["filter_suffix"] for b in blocks
    }
    zip_path = "module.layer[0].terraform_data.build[0]"
    assert changes(plan, zip_path)["input"]["zip"] != changes(root.plan(**BASE), zip_path)["input"]["zip"], (
        "another layer: pi-heif in it, AVIF kept"
    )


def test_pdf_and_video_reach_the_function_their_layers_and_the_suffix_filter(root):
    """pdf joins the released layer's variants (pypdfium2 in it); video is a layer of its own, always built here
    from layer/video/requirements.lock and never a released file (PyAV's FFmpeg includes GPL parts)."""
    plan = root.plan(**BASE, extra_formats=["pdf", "video"], video={"poster_ms": 1500})
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert (env["EXTRA_FORMATS"], env["VIDEO_POSTER_MS"]) == ("pdf,video", "1500")
    suffixes = {b["filter_suffix"] for b in changes(plan, "aws_s3_bucket_notification.this[0]")["lambda_function"]}
    assert {".pdf", ".PDF", ".mp4", ".MP4", ".m4v", ".mov", ".MOV", ".webm", ".WEBM", ".jpg"} <= suffixes
    zip_path = "module.layer[0].terraform_data.build[0]"
    without = root.plan(**BASE, extra_formats=["pdf"])
    assert changes(plan, zip_path)["input"]["zip"] == changes(without, zip_path)["input"]["zip"], (
        "video changes nothing in the main layer"
    )
    assert changes(without, zip_path)["input"]["zip"] != changes(root.plan(**BASE), zip_path)["input"]["zip"], (
        "pdf makes another main layer: pypdfium2 in it"
    )
    video = changes(plan, "module.video_layer[0].terraform_data.build[0]")["input"]["zip"]
    assert "/layer-thumbnails-photos-video-" in video
    assert changes(plan, "module.video_layer[0].aws_lambda_layer_version.this")["layer_name"] == (
        "thumbnails-photos-video"
    )
    assert not [r for r in without.resource_changes if r.startswith("module.video_layer")], "no video: no layer"


def test_formats_colour_and_how_thumbnails_are_written_reach_the_function(root):
    plan = root.plan(
        **BASE,
        extra_formats=["avif"],
        output_formats=["avif", "webp", "jpeg"],
        colour="srgb",
        jpeg={"progressive": True},
        thumbnail_objects={
            "cache_control": "public, max-age=31536000",
            "content_disposition": "attachment",
            "copy_metadata": ["photographer", "licence"],
            "storage_class": "INTELLIGENT_TIERING",
            "tags": {"team": "web", "cost centre": "42/43"},
        },
    )
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert {name: env[name] for name in (
        "OUTPUT_FORMATS", "COLOUR", "JPEG_PROGRESSIVE", "CACHE_CONTROL", "CONTENT_DISPOSITION", "COPY_METADATA",
        "STORAGE_CLASS", "THUMBNAIL_TAGS",
    )} == {
        "OUTPUT_FORMATS": "avif,webp,jpeg",
        "COLOUR": "srgb",
        "JPEG_PROGRESSIVE": "true",
        "CACHE_CONTROL": "public, max-age=31536000",
        "CONTENT_DISPOSITION": "attachment",
        "COPY_METADATA": "photographer,licence",
        "STORAGE_CLASS": "INTELLIGENT_TIERING",
        "THUMBNAIL_TAGS": "cost+centre=42%2F43&team=web",  # URL-encoded, as S3's x-amz-tagging header
    }  # fmt: skip
    from thumbnailer.settings import load_settings

    settings = load_settings({**env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"})
    assert settings.tags == (("cost centre", "42/43"), ("team", "web")), "the function reads what the plan writes"
    assert settings.output_formats == ("avif", "webp", "jpeg")
    write = statements(plan)["WriteThumbnails"]["actions"]
    assert "s3:PutObjectTagging" in write, "a write that tags needs s3:PutObjectTagging"
    assert "s3:PutObjectTagging" not in statements(root.plan(**BASE))["WriteThumbnails"]["actions"], "only then"


def test_existing_layers_instead_of_ours(root):
    arns = ["arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p313-pillow:1"]
    plan = root.plan(**BASE, create_layer=False, layer_arns=arns, outputs=("layer_version_arn", "layer_zip_path"))
    assert not [a for a in plan.resource_changes if "module.layer" in a]
    assert changes(plan, FUNCTION)["layers"] == arns
    assert plan.outputs["layer_version_arn"] is None and plan.outputs["layer_zip_path"] is None


def test_outputs_known_at_plan(root):
    plan = root.plan(**BASE, outputs=("test_event", "invoke_command", "function_name", "log_group_name"))
    event = json.loads(plan.outputs["test_event"])
    record = event["Records"][0]
    assert record["s3"]["bucket"]["name"] == "photos" and record["awsRegion"] == "us-east-1"
    assert record["s3"]["object"]["key"] == "example.jpg"
    assert plan.outputs["invoke_command"] == (
        "aws lambda invoke --function-name thumbnails-photos --region us-east-1 --invocation-type RequestResponse "
        "--cli-binary-format raw-in-base64-out --payload file://test-event.json out.json"
    )


def test_the_catalogue_gets_its_secrets_arn_and_that_secret_alone(root):
    """database: the function learns the secret's ARN and the table, never the login; the role may read that one
    secret, and decrypt it through Secrets Manager only when it has its own key."""
    arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!db-0123-AbCdEf"
    key = "arn:aws:kms:us-east-1:111122223333:key/db"
    plan = root.plan(**BASE, database={"secret_arn": arn, "kms_key_arn": key, "table": "images"})
    env = changes(plan, FUNCTION)["environment"][0]["variables"]
    assert (env["DATABASE_SECRET_ARN"], env["DATABASE_TABLE"], env["DATABASE_TLS"]) == (arn, "images", "require")
    assert not [name for name in env if name.startswith("DB_") or "PASSWORD" in name]
    s = statements(plan)
    assert (s["ReadDatabaseSecret"]["actions"], s["ReadDatabaseSecret"]["resources"]) == (
        ["secretsmanager:GetSecretValue"],
        [arn],
    )
    assert (s["DecryptDatabaseSecret"]["actions"], s["DecryptDatabaseSecret"]["resources"]) == (["kms:Decrypt"], [key])
    assert [(c["test"], c["variable"], c["values"]) for c in s["DecryptDatabaseSecret"]["condition"]] == [
        ("StringEquals", "kms:ViaService", ["secretsmanager.us-east-1.amazonaws.com"])
    ]
    assert not {"DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"} & set(env), "the secret says where the database is"
    managed = root.plan(**BASE, database={"secret_arn": arn, "host": "db.internal", "port": 3307, "name": "media"})
    env = changes(managed, FUNCTION)["environment"][0]["variables"]
    assert (env["DATABASE_HOST"], env["DATABASE_PORT"], env["DATABASE_NAME"]) == ("db.internal", "3307", "media")
    without_key = statements(root.plan(**BASE, database={"secret_arn": arn}))
    assert "ReadDatabaseSecret" in without_key and "DecryptDatabaseSecret" not in without_key
    default = root.plan(**BASE)
    assert not {"ReadDatabaseSecret", "DecryptDatabaseSecret"} & set(statements(default))
    assert "DATABASE_SECRET_ARN" not in changes(default, FUNCTION)["environment"][0]["variables"]


SECRET = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"

BAD = [
    ({"memory_size": 64}, "memory_size must be between 128 and 10240 MB; got 64."),
    ({"memory_size": 10241}, "memory_size must be between 128 and 10240 MB; got 10241."),
    ({"ephemeral_storage_size": 511}, "ephemeral_storage_size must be between 512 and 10240 MB; got 511."),
    ({"ephemeral_storage_size": 20480}, "ephemeral_storage_size must be between 512 and 10240 MB; got 20480."),
    ({"timeout": 0}, "timeout must be between 1 and 900 seconds (the Lambda maximum); got 0."),
    ({"timeout": 901}, "timeout must be between 1 and 900 seconds (the Lambda maximum); got 901."),
    (
        {"runtime": "python3.9"},
        'runtime must be one of python3.10, python3.11, python3.12, python3.13, python3.14; got "python3.9".',
    ),
    (
        {"prebuilt": {"s3_bucket": "releases", "directory": "dist"}},
        "prebuilt must set either s3_bucket (with s3_prefix) or directory, not both and not neither; got ",
    ),
    ({"prebuilt": {}}, "prebuilt must set either s3_bucket (with s3_prefix) or directory, not both and not neither"),
    ({"architecture": "arm"}, 'architecture must be x86_64 or arm64; got "arm".'),
    (
        {"layer_arns": [f"arn:aws:lambda:us-east-1:1:layer:l:{i}" for i in range(5)]},
        "A function takes at most 5 layers: layer_arns has 5 and create_layer adds 1.",
    ),
    (
        {"thumbnail_sizes": [256, 0]},
        'thumbnail_sizes must hold one or more longest edges (256) or boxes ("200x200"), every side a whole number '
        'between 1 and 10000 pixels; got ["256","0"].',
    ),
    ({"thumbnail_sizes": []}, "thumbnail_sizes must hold one or more longest edges (256) or boxes"),
    ({"thumbnail_sizes": ["200x", "abc"]}, 'pixels; got ["200x","abc"].'),
    ({"thumbnail_sizes": ["200x20000"]}, 'pixels; got ["200x20000"].'),
    ({"crop": "attention"}, 'crop must be "entropy" or "centre"; got "attention".'),
    ({"extra_formats": ["heic"]}, 'extra_formats may hold "heif", "avif", "pdf" and "video"; got ["heic"].'),
    (
        {"extra_formats": ["video"], "runtime": "python3.11"},
        "extra_formats = \"video\" needs python3.12 or later (PyAV's wheels need Amazon Linux 2023's glibc); runtime "
        'is "python3.11".',
    ),
    (
        {"video": {"poster_ms": -1}},
        "video.poster_ms must be a whole number of milliseconds between 0 and 21600000 (6 hours); got -1.",
    ),
    (
        {"extra_formats": ["video"], "layer_arns": [f"arn:aws:lambda:us-east-1:1:layer:l:{i}" for i in range(4)]},
        'A function takes at most 5 layers: layer_arns has 4 and create_layer adds 2 (extra_formats has "video": its '
        "own layer).",
    ),
    (
        {"output_format": "avif"},
        'output_format = "avif" needs the AVIF codec in the layer: add "avif" to extra_formats (it is []).',
    ),
    (
        {"animation": {"max_pixels": 0}},
        "animation.max_pixels must be a whole number between 1 and 10000000000 frame pixels; got 0.",
    ),
    (
        {"animation": {"max_frames": 100001}},
        "animation.max_frames must be a whole number between 1 and 100000 frames; got 100001.",
    ),
    ({"quality": 0}, "quality must be a whole number between 1 and 95; got 0."),
    (
        {"max_object_bytes": 0},
        "max_object_bytes must be a whole number of bytes between 1 and 10737418240 (10 GiB); got 0.",
    ),
    ({"destination_account": "12"}, 'destination_account must be a 12-digit AWS account ID; got "12".'),
    ({"account_id": "abc"}, 'account_id must be a 12-digit AWS account ID; got "abc".'),
    ({"tracing_mode": "On"}, 'tracing_mode must be "Active" or "PassThrough"; got "On".'),
    ({"alarms": {"topic_arn": "t", "period": 90}}, "period must be a multiple of 60 seconds, at least 60; got 90."),
    (
        {"dead_letter_target_arn": "q"},
        'dead_letter_target_arn must be the ARN of an SQS queue or an SNS topic; got "q".',
    ),
    ({"quality": 96}, "quality must be a whole number between 1 and 95; got 96."),
    ({"output_format": "gif"}, 'output_format must be one of auto, jpeg, png, webp, avif; got "gif".'),
    (
        {"output_formats": ["webp", "gif"]},
        'output_formats must hold jpeg, png, webp or avif, each at most once; got ["webp","gif"].',
    ),
    ({"output_formats": ["webp", "webp"]}, 'each at most once; got ["webp","webp"].'),
    (
        {"output_formats": ["avif", "jpeg"]},
        'output_formats has "avif", which needs the AVIF codec in the layer: add "avif" to extra_formats (it is []).',
    ),
    (
        {"output_formats": ["webp"], "output_format": "png"},
        'Set output_formats or output_format, not both: output_formats is ["webp"] and output_format is "png".',
    ),
    ({"colour": "cmyk"}, 'colour must be "keep" or "srgb"; got "cmyk".'),
    (
        {"thumbnail_objects": {"cache_control": "max-age=60\r\nX-Evil: 1"}},
        "thumbnail_objects.cache_control must be at most 1024 printable ASCII characters (an HTTP header); got",
    ),
    (
        {"thumbnail_objects": {"content_disposition": "download"}},
        'thumbnail_objects.content_disposition must be "inline", "attachment" or "none"; got "download".',
    ),
    (
        {"thumbnail_objects": {"copy_metadata": ["source-key"]}},
        "none of the module's own (source-bucket, source-key, source-etag, source-version-id, source-digest, "
        'blurhash); got ["source-key"].',
    ),
    ({"thumbnail_objects": {"copy_metadata": ["Photographer"]}}, 'got ["Photographer"].'),
    (
        {"thumbnail_objects": {"storage_class": "GLACIER"}},
        "thumbnail_objects.storage_class must be one a thumbnail can be read from at once: STANDARD, "
        'INTELLIGENT_TIERING, STANDARD_IA, ONEZONE_IA or GLACIER_IR; got "GLACIER".',
    ),
    (
        {"thumbnail_objects": {"tags": {f"k{i}": "v" for i in range(11)}}},
        "thumbnail_objects.tags must be at most 10 tags (S3's limit for an object), keys of 1 to 128 characters not "
        "starting with aws:, values of at most 256; got 11:",
    ),
    (
        {"thumbnail_objects": {"tags": {"team": "web", "cost": "42%"}}},
        "thumbnail_objects.tags may hold only letters, digits, spaces and _ . : / = + - @ (S3 refuses any other "
        'character in a tag); got {"cost":"42%"}.',
    ),
    (
        {"thumbnail_objects": {"cache_control": "x" * 1000, "tags": {f"k{i}": "v" * 120 for i in range(10)}}},
        "thumbnail_objects.cache_control and tags, URL-encoded, must take at most 2048 characters together (the "
        "function's environment holds at most 4 KB); got 2239.",
    ),
    (
        {"thumbnail_objects": {"tags": {"aws:owner": "me"}}},
        'not starting with aws:, values of at most 256; got 1: ["aws:owner"].',
    ),
    ({"maximum_retry_attempts": 3}, "maximum_retry_attempts must be a whole number between 0 and 2; got 3."),
    (
        {"maximum_event_age_in_seconds": 59},
        "maximum_event_age_in_seconds must be between 60 and 21600 seconds; got 59.",
    ),
    (
        {"maximum_event_age_in_seconds": 21601},
        "maximum_event_age_in_seconds must be between 60 and 21600 seconds; got 21601.",
    ),
    ({"log_retention_in_days": 2}, "log_retention_in_days must be one of the values CloudWatch Logs accepts"),
    ({"log_level": "VERBOSE"}, 'log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR or FATAL; got "VERBOSE".'),
    ({"system_log_level": "ERROR"}, 'system_log_level must be one of DEBUG, INFO or WARN; got "ERROR".'),
    ({"reserved_concurrent_executions": -2}, "reserved_concurrent_executions must be -1 (unreserved) or more; got -2."),
    (
        {"function_name": "bad name"},
        'function_name must be 1 to 64 letters, digits, hyphens or underscores; got "bad name".',
    ),
    (
        {"source_bucket": "Bad_Bucket"},
        "source_bucket must be an S3 bucket name (3 to 63 lower-case letters, digits, dots, hyphens); "
        'got "Bad_Bucket".',
    ),
    ({"source_account": "12345"}, 'source_account must be a 12-digit AWS account ID; got "12345".'),
    ({"filter_suffixes": [".jpg", "g"]}, "filter_suffixes must be non-empty and none may end with another"),
    ({"filter_suffixes": [".png", ".png"]}, "filter_suffixes must be non-empty and none may end with another"),
    ({"events": ["s3:ObjectRemoved:*"]}, "events must include s3:ObjectCreated:*"),
    ({"environment_variables": {"QUALITY": "10"}}, "environment_variables must not set QUALITY"),
    (
        {"environment_variables": {"COLOUR": "srgb", "DATABASE_TABLE": "t", "OUTPUT_FORMATS": "webp", "MINE": "1"}},
        "environment_variables must not set COLOUR, DATABASE_TABLE, OUTPUT_FORMATS: the module sets them from its "
        'own inputs (the README, "Inputs in detail", names the input of each); got keys '
        '["COLOUR","DATABASE_TABLE","MINE","OUTPUT_FORMATS"].',
    ),
    (
        {"max_object_bytes": 600 * 1048576, "ephemeral_storage_size": 512},
        "max_object_bytes must fit the function's /tmp: at most ephemeral_storage_size (512 MB = 536870912 bytes); "
        "got 629145600. Raise ephemeral_storage_size to 600 or more, or lower max_object_bytes.",
    ),
    ({"log_format": "XML"}, 'log_format must be "JSON" or "Text" (Lambda\'s two log formats); got "XML".'),
    (
        {"role_policy_arns": ["ReadOnlyAccess"]},
        "role_policy_arns must hold ARNs of IAM managed policies (arn:aws:iam::<account or aws>:policy/<name>); "
        'got ["ReadOnlyAccess"].',
    ),
    (
        {"role_policy_statements": [{"effect": "Maybe", "actions": ["s3:GetObject"], "resources": ["*"]}]},
        'role_policy_statements must each have effect "Allow" or "Deny" and at least one action and one resource',
    ),
    ({"on_failure_destination_arn": "my-queue"}, "on_failure_destination_arn must be the ARN of an SQS queue"),
    ({"build": {"layer_target": "docker"}}, 'build.layer_target must be "lambda" or "host"; got "docker".'),
    (
        {"max_image_pixels": 178956971},
        "max_image_pixels must be a whole number between 1 and 178956970 (Pillow's own decompression-bomb limit); "
        "got 178956971.",
    ),
    ({"destination_prefix": "/thumbs/"}, 'destination_prefix must not start with "/"'),
    (
        {"max_image_pixels": memory.largest_jpeg(1024) + 1},
        f"max_image_pixels = {memory.largest_jpeg(1024) + 1} needs a memory_size of at least 1025 MB to thumbnail a "
        "JPEG that large (7.5 bytes a pixel with a 20% margin, and 128 MB for the runtime); memory_size is 1024: "
        f"raise memory_size, or lower max_image_pixels to {memory.largest_jpeg(1024)} or less.",
    ),
    (
        {"database": {"secret_arn": "thumbnails-db"}},
        "database.secret_arn must be the full ARN of a Secrets Manager secret (arn:...:secretsmanager:<region>:"
        '<account>:secret:<name>-<6 characters>); got "thumbnails-db".',
    ),
    (
        {"database": {"secret_arn": SECRET, "table": "my-images"}},
        "database.table must be 1 to 48 letters, digits or underscores (the function adds <table>_migrations "
        'beside it); got "my-images".',
    ),
    (
        {"database": {"secret_arn": SECRET, "kms_key_arn": "alias/aws/secretsmanager"}},
        "database.kms_key_arn must be the ARN of a KMS key (arn:...:kms:<region>:<account>:key/<id>) or null; "
        'got "alias/aws/secretsmanager".',
    ),
    (
        {"database": {"secret_arn": SECRET, "tls": "verify"}},
        "database.tls must be require, verify (with database.ca_bundle, the CA bundle that signed the database's "
        'certificate) or disable; got tls = "verify" and ca_bundle = null.',
    ),
    (
        {"database": {"secret_arn": SECRET, "port": 0}},
        "database.port must be a whole number between 1 and 65535 or null (the secret's port, else 3306); got 0.",
    ),
    (
        {"max_image_pixels": 100_000_000, "memory_size": 512},
        "needs a memory_size of at least 987 MB to thumbnail a JPEG that large",
    ),
    ({"on_demand": {"presets": {}}}, "on_demand.presets must name between 1 and 50 sizes; got 0."),
    (
        {"on_demand": {"presets": {"640x360": "640x360"}, "formats": ["webp"]}},
        "on_demand.presets' names must be 1 to 32 lower-case letters, digits or '-', starting with a letter (a size "
        'such as 640x360 is no name); got ["640x360"].',
    ),
    (
        {"on_demand": {"presets": {"card": "640X360", "huge": "20000"}, "formats": ["webp"]}},
        'on_demand.presets\' sizes must be longest edges ("256") or boxes ("640x360") as thumbnail_sizes writes '
        'them, every side between 1 and 10000 pixels; got ["640X360","20000"].',
    ),
    (
        {"on_demand": {"presets": {"card": "640x360"}, "formats": ["gif"]}},
        'on_demand.formats must hold avif, webp, jpeg or png, at least one and each at most once; got ["gif"].',
    ),
    (
        {"on_demand": {"presets": {"card": "640x360"}}},
        'on_demand.formats has "avif", which needs the AVIF codec in the layer: add "avif" to extra_formats (it is [])',
    ),
    (
        {"on_demand": {"presets": {"card": "640x360"}, "formats": ["webp"], "signing_secret_arn": "s3cr3t"}},
        "on_demand.signing_secret_arn must be the ARN of a Secrets Manager secret "
        '(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME); got "s3cr3t".',
    ),
    (
        {"on_demand": {"presets": {"card": "640x360"}, "formats": ["webp"], "max_age": -1}},
        "on_demand.max_age must be a whole number of seconds between 0 and 31536000 (a year); got -1.",
    ),
    (
        {"on_demand": {"presets": {"card": "640x360"}, "formats": ["webp"], "reserved_concurrency": 0}},
        "on_demand.reserved_concurrency must be null (unreserved) or a whole number between 1 and 1000 (Lambda's "
        "default account limit); got 0.",
    ),
    (
        {"on_demand": {"presets": {"card": "640x360"}, "formats": ["webp"], "price_class": "cheap"}},
        'on_demand.price_class must be PriceClass_100, PriceClass_200 or PriceClass_All; got "cheap".',
    ),
]


LOOPS = [
    {"destination_bucket": None, "filter_prefix": ""},
    {"destination_bucket": "photos", "filter_prefix": "thumbnails/"},
    {"destination_bucket": None, "filter_prefix": "thumbnails/256/"},
    {"destination_bucket": None, "filter_prefix": "in/", "destination_prefix": ""},
]
# The plans below must all fail: they are planned together in chunks, each once (planner.error_lookup).
FAILING = [override for override, _ in BAD] + LOOPS


@pytest.fixture(scope="module")
def error_of(root):
    return error_lookup(root, "root-plan-errors", BASE, FAILING)


@pytest.mark.parametrize(
    "override, message",
    [
        pytest.param(o, m, id=next(iter(o)) + "=" + json.dumps(next(iter(o.values())))[:20],
                     marks=error_group("root-plan-errors", FAILING, o))
        for o, m in BAD
    ],
)  # fmt: skip
def test_bad_values_fail_at_plan_with_a_sentence(error_of, override, message):
    assert message in error_of(override)


@pytest.mark.parametrize(
    "override", [pytest.param(o, marks=error_group("root-plan-errors", FAILING, o)) for o in LOOPS]
)
def test_configurations_that_would_loop_fail_at_plan(error_of, override):
    error = error_of(override)
    assert "This configuration would loop" in error and 'source bucket "photos"' in error


def test_same_bucket_with_disjoint_prefixes_is_accepted(root):
    plan = root.plan(**{**BASE, "destination_bucket": "photos", "filter_prefix": "in/", "destination_prefix": "out/"})
    assert changes(plan, FUNCTION)["environment"][0]["variables"]["DESTINATION_BUCKET"] == "photos"
