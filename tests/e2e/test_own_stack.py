"""A user's own stack on localaws, from the README alone: its HCL block (buckets and the module, the two local
inputs) applied with `localaws terraform`, its shell lines run as printed (but the line that starts localaws, which
the test has started, and its port), then destroyed."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import boto3
import pytest

from devkit import awscli
from devkit.endpoint import LOCALAWS, localaws
from devkit.stack import ROOT, copy_module
from devkit.terraform import environment as terraform_environment
from localaws.server import default_work_root

from .test_pipeline import photo, thumbnail

# The README's stack has the module's default names, as the complete stack does: it gets a localaws of its own
# (test_the_readme_stack_applies_on_localaws_and_is_destroyed), so the two never meet, whatever the order.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("complete-stack")]


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def fenced(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def shell_lines(block: str) -> list[str]:
    """The block's commands, without their trailing comments."""
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_stack_applies_on_localaws_and_is_destroyed(tmp_path):
    work = Path(tempfile.mkdtemp(prefix="localaws-own-stack-", dir=default_work_root()))  # outside /tmp, as in conftest
    try:
        with localaws(tmp_path / "localaws.log", "--retry-delay", "0.2", "--work-dir", str(work)) as url:
            readme_stack_applies_and_is_destroyed(url, tmp_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def readme_stack_applies_and_is_destroyed(endpoint: str, tmp_path) -> None:
    def client(service: str):
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="localaws",
                            aws_secret_access_key="localaws")  # fmt: skip

    section = readme_section("Your own stack on localaws")
    (hcl,) = fenced(section, "hcl")
    (sh,) = fenced(section, "sh")
    module = copy_module(tmp_path / "module")
    stack = tmp_path / "stack"
    stack.mkdir()
    local = re.sub(r'source\s*=\s*"git::[^"]*"', f'source = "{module}"', hcl, count=1)
    assert local != hcl, "the README's stack sources the module from git"
    (stack / "main.tf").write_text(local)
    (stack / "cat.jpg").write_bytes(photo(800, 600))
    port = endpoint.rsplit(":", 1)[1]
    env = {**awscli.environment(endpoint), **terraform_environment()}
    env["PATH"] = f"{LOCALAWS.parent}{os.pathsep}{env['PATH']}"  # `localaws`, as after `make setup`
    cli_env = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}  # the AWS CLI lines name the endpoint

    lines = shell_lines(sh)
    assert lines[0].startswith(".venv/bin/localaws &"), "the README starts localaws first"
    for line in lines[1:]:
        command = shlex.split(line.replace("127.0.0.1:4566", f"127.0.0.1:{port}"))
        if command[0] == "aws":
            command[0] = awscli.find()  # the machine's AWS CLI v2 (Debian's 2.9)
        if command[:2] == ["localaws", "terraform"]:
            assert not list(stack.glob("localaws_*.tf.json")), "the previous run removed its override"
        done = subprocess.run(
            command, cwd=stack, env=cli_env if line.startswith("aws ") else env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        if "cp" in command:
            assert thumbnail(client, "my-photos-thumbnails", "thumbnails/256/uploads/cat.jpg").size == (256, 192)
        if "ls" in command:
            assert "thumbnails/256/uploads/cat.jpg" in done.stdout
        if command[-2:] == ["apply", "-auto-approve"]:
            zips = sorted(p.name for p in (stack / ".terraform" / "thumbnails").glob("*.zip"))
            assert len(zips) == 2 and any(z.startswith("function-") for z in zips), zips
    assert not list(stack.glob("localaws_*.tf.json"))
    names = {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    assert not names & {"my-photos", "my-photos-thumbnails"}, "destroy removed the stack"


def test_the_readmes_secret_command_runs_with_the_machines_aws_cli(endpoint, client):
    """The catalogue's create-secret line, as printed (its port aside), makes the secret the function reads."""
    (line,) = [b for b in fenced(readme_section("What it is"), "sh") if "create-secret" in b]
    port = endpoint.rsplit(":", 1)[1]
    command = line.replace("127.0.0.1:4566", f"127.0.0.1:{port}").replace("aws ", f"{awscli.find()} ", 1)
    env = {k: v for k, v in awscli.environment(endpoint).items() if k != "AWS_ENDPOINT_URL"}
    done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    secrets = client("secretsmanager")
    try:
        value = json.loads(secrets.get_secret_value(SecretId="thumbnails-database")["SecretString"])
        assert {k: type(v).__name__ for k, v in value.items()} == {
            "host": "str", "port": "int", "username": "str", "password": "str", "dbname": "str"
        }  # fmt: skip
    finally:
        secrets.delete_secret(SecretId="thumbnails-database", ForceDeleteWithoutRecovery=True)
