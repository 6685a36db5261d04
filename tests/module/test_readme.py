"""The README's usage example is planned, so it cannot rot: its module block, verbatim but for the source,
against an in-process local endpoint (the module reads the caller's account from STS)."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from devkit import release
from devkit.stack import provider_override
from devkit.terraform import initialised
from localaws.server import LocalAWS

from .planner import ROOT, changes


def readme_module_block() -> str:
    blocks = re.findall(r"```hcl\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b for b in blocks if 'module "thumbnails"' in b][0]  # the usage example at the top


@pytest.mark.xdist_group("release")  # shares the `rebuilt` build
def test_readme_example_plans(tmp_path, rebuilt):
    """The example installs the release: its objects are published (with S3's checksums) where it says."""
    block = readme_module_block()
    local = re.sub(r'source\s*=\s*"[^"]*"', f'source = "{ROOT}"', block, count=1)
    assert local != block, "the README example must have a source line"
    (tmp_path / "main.tf").write_text(local)
    where = re.search(r'prebuilt\s*=\s*\{\s*s3_bucket\s*=\s*"([^"]+)",\s*s3_prefix\s*=\s*"([^"]+)"', block)
    assert where, "the README's first example installs the release (prebuilt)"
    bucket, prefix = where.groups()
    with LocalAWS(port=0, work_dir=tmp_path / "localaws") as aws:
        s3 = boto3.client("s3", endpoint_url=aws.endpoint_url, region_name="us-east-1", aws_access_key_id="localaws",
                          aws_secret_access_key="localaws")  # fmt: skip
        s3.create_bucket(Bucket=bucket)
        for name in rebuilt.files:
            s3.put_object(
                Bucket=bucket, Key=f"{prefix}/{name}", Body=(rebuilt.dist / name).read_bytes(),
                ChecksumAlgorithm="SHA256", ChecksumSHA256=release.read_pins()["artifacts"][name]["sha256_base64"],
            )  # fmt: skip
        config = provider_override(aws.endpoint_url)
        config["terraform"] = {"required_providers": {"aws": {"source": "hashicorp/aws"}}}
        (tmp_path / "provider.tf.json").write_text(json.dumps(config))
        plan = initialised(tmp_path).plan(output=True)
    fn = changes(plan, "aws_lambda_function.this")
    assert fn["environment"][0]["variables"]["THUMBNAIL_SIZES"] == "1024,256"
    assert (fn["s3_bucket"], fn["s3_key"]) == (bucket, f"{prefix}/{release.FUNCTION}")
    assert not [a for a in plan.resource_changes if "terraform_data" in a], "nothing is built"
    permission = changes(plan, "aws_lambda_permission.s3")
    assert permission["source_account"] == "123456789012" and permission["source_arn"] == "arn:aws:s3:::my-photos"
