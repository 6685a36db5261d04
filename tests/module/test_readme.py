"""The README's usage example is planned, so it cannot rot: its module block, verbatim but for the source,
against an in-process local endpoint (the module reads the caller's account from STS)."""

from __future__ import annotations

import json
import re

from devkit.stack import provider_override
from devkit.terraform import initialised
from localaws.server import LocalAWS

from .planner import ROOT, changes


def readme_module_block() -> str:
    blocks = re.findall(r"```hcl\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b for b in blocks if 'module "thumbnails"' in b][0]  # the usage example at the top


def test_readme_example_plans(tmp_path):
    block = readme_module_block()
    local = re.sub(r'source\s*=\s*"[^"]*"', f'source = "{ROOT}"', block, count=1)
    assert local != block, "the README example must have a source line"
    (tmp_path / "main.tf").write_text(local)
    with LocalAWS(port=0, work_dir=tmp_path / "localaws") as aws:
        config = provider_override(aws.endpoint_url)
        config["terraform"] = {"required_providers": {"aws": {"source": "hashicorp/aws"}}}
        (tmp_path / "provider.tf.json").write_text(json.dumps(config))
        plan = initialised(tmp_path).plan(output=True)
    fn = changes(plan, "aws_lambda_function.this")
    assert fn["environment"][0]["variables"]["THUMBNAIL_SIZES"] == "1024,256"
    permission = changes(plan, "aws_lambda_permission.s3")
    assert permission["source_account"] == "123456789012" and permission["source_arn"] == "arn:aws:s3:::my-photos"
