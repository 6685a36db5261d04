"""``localaws terraform``: the provider override it writes for one run, and removes (localaws/terraform.py)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from localaws import terraform

MAIN = """
provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias = "replica"
}
"""


def fake_terraform(tmp_path: Path) -> Path:
    """A `terraform` that records its arguments and the override files it sees, and exits 7."""
    script = tmp_path / "bin" / "terraform"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        'echo "$@" > seen-args\n'
        "[ -f localaws_override.tf.json ] && cat localaws_override.tf.json > seen-override.json\n"
        "[ -f localaws_provider.tf.json ] && cat localaws_provider.tf.json > seen-provider.json\n"
        "exit 7\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_every_aws_provider_is_overridden_for_the_run_only(tmp_path, monkeypatch):
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(MAIN)
    monkeypatch.chdir(stack)
    env = {"TERRAFORM": str(fake_terraform(tmp_path)), "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "PATH": "/usr/bin"}

    assert terraform.run(["plan", "-input=false"], env) == 7, "Terraform's exit status is localaws terraform's"
    assert (stack / "seen-args").read_text().split() == ["plan", "-input=false"]
    seen = json.loads((stack / "seen-override.json").read_text())["provider"]["aws"]
    default, replica = sorted(seen, key=lambda block: block.get("alias", ""))
    for block in (default, replica):
        assert set(block["endpoints"][0]) >= {"s3", "lambda", "iam", "sts", "logs", "sqs", "sns", "events"}
        assert set(block["endpoints"][0].values()) == {"http://127.0.0.1:9"}
        assert block["s3_use_path_style"] is True and block["skip_credentials_validation"] is True
    assert "region" not in default, "the stack's own region is kept"
    assert replica["alias"] == "replica" and replica["region"] == "us-east-1"
    assert not (stack / "seen-provider.json").exists(), "the stack has a default provider: nothing to add"
    assert sorted(p.name for p in stack.iterdir() if p.suffix == ".json" and "localaws" in p.name) == []


def test_a_stack_without_a_provider_block_gets_one_and_the_default_address(tmp_path, monkeypatch):
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    monkeypatch.chdir(stack)
    env = {"TERRAFORM": str(fake_terraform(tmp_path)), "AWS_DEFAULT_REGION": "eu-central-1", "PATH": "/usr/bin"}

    terraform.run(["validate"], env)
    (provider,) = json.loads((stack / "seen-provider.json").read_text())["provider"]["aws"]
    assert provider["region"] == "eu-central-1"
    assert set(provider["endpoints"][0].values()) == {"http://127.0.0.1:4566"}
    assert not (stack / "seen-override.json").exists()
    assert not (stack / "localaws_provider.tf.json").exists()


def test_a_file_of_the_same_name_that_is_not_localawss_is_left_alone(tmp_path, monkeypatch):
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(MAIN)
    mine = '{"provider": {"aws": [{"profile": "mine"}]}}'
    (stack / "localaws_override.tf.json").write_text(mine)
    monkeypatch.chdir(stack)

    assert terraform.run(["plan"], {"TERRAFORM": str(fake_terraform(tmp_path)), "PATH": "/usr/bin"}) == 2
    assert (stack / "localaws_override.tf.json").read_text() == mine
    assert not (stack / "seen-args").exists(), "Terraform did not run"


def test_localaws_terraform_does_not_import_the_endpoint():
    """``localaws terraform`` only points Terraform at a running localaws: the CLI's dispatch leaves moto and the
    runtime unimported (0.4 s a command), which only serving needs (localaws/serve.py)."""
    probe = "import sys; from localaws import cli, terraform; print(*sys.modules, sep=chr(10))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(run.stdout.split())
    assert "localaws.terraform" in loaded and not {"moto", "localaws.serve", "localaws.runtime"} & loaded
