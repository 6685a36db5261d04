"""Every HCL block of README.md and of the submodules' READMEs is planned, so none can rot. A block is planned as it
is written but for its `source` (the repository, by path) and `${path.module}` (the repository too), against an
in-process local endpoint (the module reads the caller's account from STS). The submodules' blocks are planned
together, as the root module composes them (`module.function` in one is the function module of another), with
the few objects they take as given (GIVEN below). A fragment that is not meant to plan on its own is preceded by
`<!-- not planned: reason -->`. Every block is also `terraform fmt`-clean."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from devkit import release
from devkit.stack import provider_override
from devkit.terraform import initialised
from localaws.server import LocalAWS

from .planner import ROOT, changes

BLOCK = re.compile(r"(?P<before>(?:<!--[^\n]*-->\s*\n)?)```hcl\n(?P<code>.*?)```", re.S)
SKIP = re.compile(r"<!--\s*not planned:\s*(?P<reason>.+?)\s*-->")
READMES = [ROOT / "README.md", *sorted((ROOT / "modules").glob("*/README.md"))]
# What the READMEs' blocks name without creating: an on-call topic, a topic a bucket publishes to, a bucket with
# an existing queue notification.
GIVEN = """
resource "aws_sns_topic" "oncall" { name = "oncall" }
resource "aws_sns_topic" "bucket_events" { name = "bucket-events" }
resource "aws_s3_bucket" "photos" { bucket = "my-photos" }
resource "aws_sqs_queue" "audit" { name = "audit" }
"""


def blocks(readme: Path) -> list[tuple[str, str | None]]:
    """(code, the reason it is not planned, or None) of every HCL block of ``readme``."""
    found = []
    for match in BLOCK.finditer(readme.read_text()):
        skip = SKIP.search(match["before"])
        found.append((match["code"], skip["reason"] if skip else None))
    return found


def local(code: str) -> str:
    """The block as it plans here: its `source` and `${path.module}` name the repository through `./repo`, a link
    in the working directory (a relative source is used in place; an absolute one would be copied, repository and
    all)."""
    code = re.sub(
        r'source\s*=\s*"(?:\./|git::)[^"]*?(/modules/[a-z0-9-]+|modules/[a-z0-9-]+)?"',
        lambda m: f'source = "./repo/{(m[1] or "").strip("/")}"'.replace('/repo/"', '/repo"'),
        code,
    )
    return code.replace("${path.module}", "${path.module}/repo")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[str]:
    with LocalAWS(port=0, work_dir=tmp_path_factory.mktemp("localaws")) as aws:
        yield aws.endpoint_url


def plan(directory: Path, endpoint: str, code: str):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "repo").symlink_to(ROOT, target_is_directory=True)
    (directory / "main.tf").write_text(code)
    config = provider_override(endpoint)
    config["terraform"] = {"required_providers": {"aws": {"source": "hashicorp/aws"}}}
    (directory / "provider.tf.json").write_text(json.dumps(config))
    return initialised(directory).plan(output=True)


def test_every_block_is_planned_or_says_why_not():
    counted = {readme.relative_to(ROOT).as_posix(): len(blocks(readme)) for readme in READMES}
    assert counted["README.md"] >= 3 and all(counted[f"modules/{m.parent.name}/README.md"] >= 1 for m in READMES[1:])
    for readme in READMES:
        for _, reason in blocks(readme):
            assert reason is None or len(reason.split()) >= 3, f"{readme}: say why the block is not planned"
    planned = [code for code, reason in blocks(ROOT / "README.md") if reason is None]
    assert len(planned) == 2, "the usage example and the trigger = none example: test_readme_blocks_plan plans them"


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.parent.name if p.parent != ROOT else "README")
def test_every_block_is_formatted(readme: Path, tmp_path: Path):
    for number, (code, _) in enumerate(blocks(readme)):
        if "..." in code or "…" in code:
            continue  # a fragment with an ellipsis is not HCL
        done = subprocess.run(["terraform", "fmt", "-"], input=code, capture_output=True, text=True)
        assert done.returncode == 0, f"{readme} block {number + 1} does not parse: {done.stderr}"
        assert done.stdout == code, f"{readme} block {number + 1}: format it as `terraform fmt` does:\n{done.stdout}"


def publish(endpoint: str, rebuilt, bucket: str, prefix: str) -> None:
    """The release's objects where the usage example says, with S3's checksums (as `make publish` uploads them)."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="localaws",
                      aws_secret_access_key="localaws")  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    for name in rebuilt.files:
        s3.put_object(
            Bucket=bucket, Key=f"{prefix}/{name}", Body=(rebuilt.dist / name).read_bytes(),
            ChecksumAlgorithm="SHA256", ChecksumSHA256=release.read_pins()["artifacts"][name]["sha256_base64"],
        )  # fmt: skip


@pytest.mark.xdist_group("release")  # shares the `rebuilt` build
def test_readme_blocks_plan(tmp_path, endpoint, rebuilt):
    usage, none = [code for code, reason in blocks(ROOT / "README.md") if reason is None]
    assert local(usage) != usage, "the README example must have a source line"
    where = re.search(r'prebuilt\s*=\s*\{\s*s3_bucket\s*=\s*"([^"]+)",\s*s3_prefix\s*=\s*"([^"]+)"', usage)
    assert where, "the README's first example installs the release (prebuilt)"
    bucket, prefix = where.groups()
    publish(endpoint, rebuilt, bucket, prefix)
    source = re.search(r'source_bucket\s*=\s*"([^"]+)"', usage)[1]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="localaws",
                      aws_secret_access_key="localaws")  # fmt: skip
    s3.create_bucket(Bucket=source)  # an existing bucket, whose notification configuration the plan reads
    first = plan(tmp_path / "usage", endpoint, local(usage))
    fn = changes(first, "aws_lambda_function.this")
    assert fn["environment"][0]["variables"]["THUMBNAIL_SIZES"] == "1024,256"
    assert (fn["s3_bucket"], fn["s3_key"]) == (bucket, f"{prefix}/{release.FUNCTION}")
    assert not [a for a in first.resource_changes if "terraform_data" in a], "nothing is built"
    permission = changes(first, "aws_lambda_permission.s3")
    assert permission["source_account"] == "123456789012" and permission["source_arn"] == "arn:aws:s3:::my-photos"

    second = plan(tmp_path / "none", endpoint, local(none) + GIVEN)
    notifications = [a for a, c in second.resource_changes.items() if c["type"] == "aws_s3_bucket_notification"]
    assert notifications == ["aws_s3_bucket_notification.photos"], "the caller's, holding the module's rules"
    kept = changes(second, "aws_s3_bucket_notification.photos")
    assert len(kept["queue"]) == 1 and "module.thumbnails.module.s3_trigger[0].aws_lambda_permission.s3" in (
        second.resource_changes
    )


def test_the_submodules_readme_blocks_plan_together(tmp_path, endpoint):
    code = "\n".join(local(block) for readme in READMES[1:] for block, reason in blocks(readme) if reason is None)
    result = plan(tmp_path, endpoint, code + GIVEN)
    modules = {address.split(".")[1] for address in result.resource_changes if address.startswith("module.")}
    assert modules >= {"alarms", "eventbridge_trigger", "function", "pillow", "trigger", "sns_trigger", "sqs_trigger"}
    rule = changes(result, "module.eventbridge_trigger.aws_cloudwatch_event_rule.this")
    assert json.loads(rule["event_pattern"])["detail"]["bucket"]["name"] == ["my-photos"]
