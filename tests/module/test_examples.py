"""Every example is planned (and validated) against an in-process local endpoint, so none can rot. The ones
whose story needs it are also applied end to end in tests/e2e."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import tftest

from devkit import release
from devkit.stack import local_terraform
from localaws.server import LocalAWS

from .planner import ROOT, changes

EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "main.tf").is_file())


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[str]:
    with LocalAWS(port=0, work_dir=tmp_path_factory.mktemp("localaws")) as aws:
        yield aws.endpoint_url


EXPECTED = Path(__file__).with_name("example_resources.json")
REGENERATE = "REGENERATE=1 .venv/bin/python -m pytest tests/module/test_examples.py"


def plan_example(name: str, workspace: Path, endpoint: str, **tf_vars: str) -> tftest.TerraformPlanOutput:
    tf = local_terraform(workspace, endpoint, example=name)
    # No `terraform validate` first: a plan validates the configuration before it plans (with every variable unknown,
    # as validate does), and fails with the same errors.
    plan = tf.plan(output=True, tf_vars={"tls_only": "true", **tf_vars})  # as in AWS: only local runs turn it off
    assert_buckets_are_private(plan)
    assert_resource_counts(name, plan)
    return plan


def resource_counts(plan: tftest.TerraformPlanOutput) -> dict[str, int]:
    """How many resources of each type the example creates, its modules' included (data sources left out)."""
    counts: dict[str, int] = {}
    for change in plan.resource_changes.values():
        if change.get("mode", "managed") == "managed":
            counts[change["type"]] = counts.get(change["type"], 0) + 1
    return dict(sorted(counts.items()))


def assert_resource_counts(name: str, plan: tftest.TerraformPlanOutput) -> None:
    """A change that adds or drops a resource in an example is seen: the counts are in example_resources.json."""
    counts = resource_counts(plan)
    if os.environ.get("REGENERATE") == "1":
        with open(EXPECTED, "a") as lock:  # examples are planned in parallel: one writer at a time
            fcntl.flock(lock, fcntl.LOCK_EX)
            expected = json.loads(EXPECTED.read_text() or "{}") if EXPECTED.is_file() else {}
            expected[name] = counts
            expected["_regenerate"] = REGENERATE
            EXPECTED.write_text(json.dumps(dict(sorted(expected.items())), indent=2) + "\n")
        return
    expected = json.loads(EXPECTED.read_text()).get(name)
    assert counts == expected, (
        f"examples/{name} now creates {counts}, example_resources.json says {expected}: if that is meant, run "
        f"`{REGENERATE}` and commit tests/module/example_resources.json"
    )


def assert_buckets_are_private(plan: tftest.TerraformPlanOutput) -> None:
    """Every bucket an example creates blocks public access, has ACLs off (owner-enforced ownership) and a policy
    that refuses plain HTTP."""

    def of_type(kind: str) -> list[dict]:
        return [c["change"]["after"] for c in plan.resource_changes.values() if c["type"] == kind]

    buckets = of_type("aws_s3_bucket")
    blocks = [
        b
        for b in of_type("aws_s3_bucket_public_access_block")
        if all(
            b[flag]
            for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        )
    ]
    owned = [
        o
        for o in of_type("aws_s3_bucket_ownership_controls")
        if o["rule"] == [{"object_ownership": "BucketOwnerEnforced"}]
    ]
    assert buckets and len(blocks) == len(owned) == len(buckets), (len(buckets), len(blocks), len(owned))
    tls_only = [
        c["change"]["after"]
        for a, c in plan.resource_changes.items()
        if c["type"] == "aws_iam_policy_document" and ".tls_only" in a
    ]
    denies = [
        s
        for document in tls_only
        for s in document["statement"]
        if s["effect"] == "Deny"
        and s["actions"] == ["s3:*"]
        and s["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]
    ]
    assert len(denies) == len(of_type("aws_s3_bucket_policy")) == len(buckets), "every bucket refuses plain HTTP"
    encrypted = [
        e
        for e in of_type("aws_s3_bucket_server_side_encryption_configuration")
        if e["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] in ("AES256", "aws:kms")
    ]
    assert len(encrypted) == len(buckets), "every bucket is encrypted at rest (a configuration of its own)"


def versioned(plan: tftest.TerraformPlanOutput) -> list[str]:
    """The addresses of the buckets whose versioning is enabled."""
    return sorted(
        address
        for address, change in plan.resource_changes.items()
        if change["type"] == "aws_s3_bucket_versioning"
        and [c["status"] for c in change["change"]["after"]["versioning_configuration"]] == ["Enabled"]
    )


def test_every_example_is_planned_here():
    expected = json.loads(EXPECTED.read_text())
    assert sorted(set(expected) - {"_regenerate"}) == EXAMPLES, f"every example's resource counts: run `{REGENERATE}`"
    assert EXAMPLES == [
        "cdn",
        "complete",
        "existing-bucket",
        "on-demand",
        "prebuilt",
        "public-layer",
        "sns-fanout",
        "sqs",
        "with-database",
    ], "a new example needs a test in this module"


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_has_a_short_readme(name):
    readme = (ROOT / "examples" / name / "README.md").read_text()
    account = ("## Run it in an AWS account", "terraform init\n", "terraform plan ", "terraform apply ", "costs:")
    parts = ("**What it shows**", "**What it creates**", *account, "## Run it on localaws", f"devkit.stack {name} ")
    for part in parts:
        assert part in readme, f"examples/{name}/README.md: say {part!r}"
    assert readme.index("## Run it in an AWS account") < readme.index("## Run it on localaws"), "the account first"
    assert len(readme.splitlines()) <= 55, "short: what it shows, what it creates, how to run it"
    assert (ROOT / "examples" / name / "versions.tf").is_file(), f"examples/{name}: the terraform block in versions.tf"
    assert "terraform {" not in (ROOT / "examples" / name / "main.tf").read_text(), "main.tf holds no terraform block"


def test_complete(endpoint, tmp_path):
    plan = plan_example("complete", tmp_path, endpoint)
    (fn,) = [c for a, c in plan.resource_changes.items() if a.endswith("module.function.aws_lambda_function.this")]
    # The module's default name, of the source bucket's, which the example passes by id: known once it exists.
    assert fn["change"]["after_unknown"]["function_name"] is True
    assert versioned(plan) == ["aws_s3_bucket_versioning.source"], "the uploads are versioned"


def test_cdn(endpoint, tmp_path):
    """CloudFront reads the private thumbnails bucket through a SigV4 origin access control, and nothing else may."""
    plan = plan_example("cdn", tmp_path, endpoint)
    oac = changes(plan, "aws_cloudfront_origin_access_control.this")
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"], oac["signing_protocol"]) == (
        "s3", "always", "sigv4",
    )  # fmt: skip

    def expressions(address: str) -> dict:
        [resource] = [r for r in plan.configuration["root_module"]["resources"] if r["address"] == address]
        return resource["expressions"]

    grant = expressions("data.aws_iam_policy_document.thumbnails")["statement"][0]
    assert grant["actions"]["constant_value"] == ["s3:GetObject"] and grant["effect"]["constant_value"] == "Allow"
    assert [(p["type"]["constant_value"], p["identifiers"]["constant_value"]) for p in grant["principals"]] == [
        ("Service", ["cloudfront.amazonaws.com"])
    ], "the CloudFront service principal only: no account, no public"
    [condition] = grant["condition"]
    assert (condition["test"]["constant_value"], condition["variable"]["constant_value"]) == (
        "StringEquals", "AWS:SourceArn",
    )  # fmt: skip
    assert "aws_cloudfront_distribution.this.arn" in condition["values"]["references"], "this distribution only"
    assert grant["resources"]["references"][0] == 'aws_s3_bucket.this["thumbnails"].arn', "thumbnails bucket"
    statements = changes(plan, "data.aws_iam_policy_document.thumbnails")["statement"]
    assert [s["sid"] for s in statements] == ["CloudFrontReadsThumbnails"], "the one grant"
    sources = expressions("data.aws_iam_policy_document.thumbnails")["source_policy_documents"]["references"]
    assert "data.aws_iam_policy_document.tls_only" in sources, "the thumbnails' policy refuses plain HTTP too"
    thumbnails_policy = expressions("aws_s3_bucket_policy.thumbnails")["policy"]["references"]
    assert "data.aws_iam_policy_document.thumbnails.json" in thumbnails_policy

    distribution = changes(plan, "aws_cloudfront_distribution.this")
    [origin] = distribution["origin"]
    assert origin["s3_origin_config"] == [] and origin["custom_origin_config"] == [], "no OAI, no public website"
    [configured] = expressions("aws_cloudfront_distribution.this")["origin"]
    assert "aws_cloudfront_origin_access_control.this.id" in configured["origin_access_control_id"]["references"]
    assert 'aws_s3_bucket.this["thumbnails"].bucket_regional_domain_name' in configured["domain_name"]["references"]
    [behaviour] = distribution["default_cache_behavior"]
    assert behaviour["viewer_protocol_policy"] == "redirect-to-https"
    assert sorted(behaviour["allowed_methods"]) == ["GET", "HEAD"], "read only"
    key = changes(plan, "aws_cloudfront_cache_policy.thumbnails")["parameters_in_cache_key_and_forwarded_to_origin"]
    assert key[0]["headers_config"] == [{"header_behavior": "none", "headers": []}], "no Accept in the key"
    headers = changes(plan, "aws_cloudfront_response_headers_policy.thumbnails")["security_headers_config"][0]
    assert headers["strict_transport_security"][0]["access_control_max_age_sec"] >= 31536000
    assert headers["content_type_options"][0]["override"] and headers["frame_options"][0]["frame_option"] == "DENY"

    # The function's environment is known once the source bucket (passed by id) exists: the provider cannot plan a
    # map with one value unknown. What the example asks of the module (test_root checks how it becomes environment):
    asked = plan.configuration["root_module"]["module_calls"]["thumbnails"]["expressions"]
    assert asked["output_formats"]["constant_value"] == ["avif", "webp", "jpeg"]
    assert asked["extra_formats"]["constant_value"] == ["avif"]
    assert asked["thumbnail_objects"]["constant_value"]["cache_control"] == (
        "public, max-age=86400, stale-while-revalidate=86400"
    )
    assert versioned(plan) == ["aws_s3_bucket_versioning.source"], "the uploads are versioned"


def test_on_demand(endpoint, tmp_path):
    """The whole on-demand stack: the module's distribution, its origin group and the second function, and the
    thumbnails bucket's policy holding the module's statement beside the stack's own."""
    plan = plan_example("on-demand", tmp_path, endpoint)
    distribution = changes(plan, "module.thumbnails.module.on_demand[0].aws_cloudfront_distribution.this")
    assert distribution["origin_group"][0]["failover_criteria"] == [{"status_codes": [403, 404]}]
    function = changes(plan, "module.thumbnails.module.on_demand_function[0].aws_lambda_function.this")
    assert function["handler"] == "app.url_handler" and function["reserved_concurrent_executions"] == 10
    code = changes(plan, "module.thumbnails.module.on_demand[0].aws_cloudfront_function.viewer_request")["code"]
    assert '"presets":{"card":"640x360","hero":"1600x900","thumb":"256"}' in code
    [policy] = [
        r
        for r in plan.configuration["root_module"]["resources"]
        if r["address"] == "data.aws_iam_policy_document.thumbnails"
    ]
    assert (
        "module.thumbnails.on_demand_bucket_policy_json"
        in policy["expressions"]["source_policy_documents"]["references"]
    )


def test_existing_bucket_keeps_its_notification_and_shares_the_bucket(endpoint, tmp_path):
    plan = plan_example("existing-bucket", tmp_path, endpoint)
    notifications = [a for a in plan.resource_changes if a.endswith("aws_s3_bucket_notification.photos")]
    assert notifications == ["aws_s3_bucket_notification.photos"], "only the owner's: the module adds none"
    owner = changes(plan, "aws_s3_bucket_notification.photos")
    assert owner["eventbridge"] is True and len(owner["queue"]) == 1
    rules = {
        a: c["change"]["after"]
        for a, c in plan.resource_changes.items()
        if a.endswith("aws_cloudwatch_event_rule.this")
    }
    assert sorted(r["name"] for r in rules.values()) == [
        "thumbnails-existing-avatars-objects",
        "thumbnails-existing-photos-objects",
    ]
    prefixes = sorted(
        json.loads(r["event_pattern"])["detail"]["object"]["key"][0]["wildcard"].split("*")[0] for r in rules.values()
    )
    assert prefixes == ["avatars/", "photos/"]


def test_sqs(endpoint, tmp_path):
    plan = plan_example("sqs", tmp_path, endpoint)
    mapping = changes(plan, "aws_lambda_event_source_mapping.this")
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["scaling_config"] == [{"maximum_concurrency": 3}]


def test_sns_fanout(endpoint, tmp_path):
    plan = plan_example("sns-fanout", tmp_path, endpoint)
    protocols = sorted(
        c["change"]["after"]["protocol"]
        for a, c in plan.resource_changes.items()
        if a.endswith("aws_sns_topic_subscription.this") or a.endswith("aws_sns_topic_subscription.audit")
    )
    assert protocols == ["lambda", "sqs"], "the function is one subscriber among others"


@pytest.mark.xdist_group("release")  # shares the `rebuilt` build
def test_prebuilt(endpoint, tmp_path, rebuilt):
    """The released ZIPs, published with their checksums: the plan verifies them and builds nothing."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="localaws",
                      aws_secret_access_key="localaws")  # fmt: skip
    s3.create_bucket(Bucket="releases")
    pins = release.read_pins()["artifacts"]
    for name in rebuilt.files:
        body = (rebuilt.dist / name).read_bytes()
        s3.put_object(
            Bucket="releases", Key=f"v/{name}", Body=body, ChecksumAlgorithm="SHA256",
            ChecksumSHA256=pins[name]["sha256_base64"],
        )  # fmt: skip
    plan = plan_example("prebuilt", tmp_path, endpoint, release_bucket="releases", release_prefix="v/")
    assert not [a for a in plan.resource_changes if "terraform_data" in a]
    fn = changes(plan, "aws_lambda_function.this")
    assert (fn["s3_bucket"], fn["s3_key"]) == ("releases", f"v/{release.FUNCTION}")
    assert fn["source_code_hash"] == pins[release.FUNCTION]["sha256_base64"]
    layer = changes(plan, "aws_lambda_layer_version.this")
    assert layer["s3_key"] == f"v/{rebuilt.files[1]}", "the layer for the runtime and architecture"


def test_public_layer(endpoint, tmp_path):
    plan = plan_example("public-layer", tmp_path, endpoint)
    assert not [a for a in plan.resource_changes if "aws_lambda_layer_version" in a or "module.layer" in a]
    fn = changes(plan, "aws_lambda_function.this")
    assert fn["layers"] == ["arn:aws:lambda:us-east-1:770693421928:layer:Klayers-p313-pillow:1"]


def test_with_database(endpoint, tmp_path):
    """RDS with a password RDS manages, private subnets, and the endpoints that spare the function a NAT."""
    plan = plan_example("with-database", tmp_path, endpoint)
    assert versioned(plan) == ["aws_s3_bucket_versioning.source"], "the uploads are versioned"
    db = changes(plan, "aws_db_instance.this")
    assert db["manage_master_user_password"] is True and db["publicly_accessible"] is False
    assert db["storage_encrypted"] is True and "password" not in {k for k, v in db.items() if v}
    endpoints = {a: changes(plan, a) for a in ("aws_vpc_endpoint.s3", "aws_vpc_endpoint.secretsmanager")}
    assert endpoints["aws_vpc_endpoint.s3"]["vpc_endpoint_type"] == "Gateway"
    assert endpoints["aws_vpc_endpoint.secretsmanager"]["vpc_endpoint_type"] == "Interface"
    assert endpoints["aws_vpc_endpoint.secretsmanager"]["private_dns_enabled"] is True
    kinds = {a.split(".")[-2] for a in plan.resource_changes}
    assert not kinds & {"aws_nat_gateway", "aws_internet_gateway", "aws_eip"}, "no way out but the endpoints"
    ingress = changes(plan, "aws_vpc_security_group_ingress_rule.database_from_function")
    assert (ingress["from_port"], ingress["to_port"]) == (3306, 3306)
    function = plan.resource_changes["module.thumbnails.module.function.aws_lambda_function.this"]["change"]
    assert function["after_unknown"]["vpc_config"], "in the subnets (known once they exist)"
