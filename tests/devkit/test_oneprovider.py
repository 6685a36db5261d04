"""devkit/oneprovider.py: Terraform run against one aws provider it starts for the command, in the command's
directory, and stops after; init, and anything it cannot attach, run as Terraform alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devkit import oneprovider

SCRIPT = Path(oneprovider.__file__)
ADDRESS = "registry.terraform.io/hashicorp/aws"
PROVIDER_DIR = Path(".terraform/providers") / ADDRESS / "5.100.0" / "linux_amd64"

FAKE_PROVIDER = """#!/bin/sh
# as the aws provider started with -debug: says where it listens, then serves until it is stopped (its stop handled
# before it says so: a wrapper may stop it as soon as it has read the line)
trap 'echo stopped > "$SEEN/provider-stopped"; exit 0' TERM
pwd > "$SEEN/provider-cwd"; echo "$@" > "$SEEN/provider-args"; echo "${AWS_CA_BUNDLE:-unset}" > "$SEEN/provider-ca"
echo "${TF_LOG_SDK_PROTO:-unset} ${TF_LOG_PROVIDER_AWS:-unset}" > "$SEEN/provider-log"
echo 'Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:'
echo
address='"registry.terraform.io/hashicorp/aws"'
printf '%s\\n' "	TF_REATTACH_PROVIDERS='{$address:{\\"Protocol\\":\\"grpc\\",\\"Pid\\":$$}}'"
while :; do sleep 0.05; done
"""
SILENT_PROVIDER = """#!/bin/sh
exit 1
"""
FAKE_TERRAFORM = """#!/bin/sh
# records what it was run with, and whether the provider it was given is running
{ echo "${TF_REATTACH_PROVIDERS:-}"; pwd; echo "$@"; } > "$SEEN/terraform"
exit 3
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def stack(tmp_path) -> Path:
    directory = tmp_path / "stack"
    directory.mkdir()
    return directory


def wrapped(tmp_path: Path, cwd: Path, *args: str, **extra: str) -> tuple[int, list[str]]:
    seen = tmp_path / "seen"
    seen.mkdir(exist_ok=True)
    env = {**os.environ, "SEEN": str(seen), oneprovider.REAL: str(executable(tmp_path / "tf", FAKE_TERRAFORM))}
    env.pop("TF_REATTACH_PROVIDERS", None)
    env.pop(oneprovider.LOG, None)  # the session's own log (devkit/testreport.py) is not this fake's
    done = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, env={**env, **extra}, timeout=60)
    return done.returncode, (seen / "terraform").read_text().splitlines()


def test_a_plan_runs_against_one_provider_started_in_its_directory_and_stopped_after(tmp_path, stack):
    provider = executable(stack / PROVIDER_DIR / "terraform-provider-aws_v5.100.0_x5", FAKE_PROVIDER)
    rc, (reattach, cwd, args) = wrapped(tmp_path, stack, "plan", "-out=p", AWS_CA_BUNDLE="/ca.pem")
    assert rc == 3, "Terraform's exit status is the wrapper's"
    assert args == "plan -out=p" and cwd == str(stack)
    attached = json.loads(reattach)[ADDRESS]
    assert attached["Protocol"] == "grpc" and attached["Pid"] > 0
    seen = tmp_path / "seen"
    assert (seen / "provider-cwd").read_text().strip() == str(stack), "relative paths resolve as Terraform's do"
    assert (seen / "provider-args").read_text().split() == ["-debug"]
    assert (seen / "provider-ca").read_text().strip() == "unset", "AWS_CA_BUNDLE breaks a second configure"
    assert (seen / "provider-stopped").read_text().strip() == "stopped", "the provider lives for the command only"
    assert (seen / "provider-log").read_text().split() == ["off", "off"], "no TF_LOG: the provider logs nothing"
    assert provider.is_file()


def test_with_tf_log_the_provider_logs_as_asked(tmp_path, stack):
    executable(stack / PROVIDER_DIR / "terraform-provider-aws_v5.100.0_x5", FAKE_PROVIDER)
    rc, (reattach, _, _) = wrapped(tmp_path, stack, "plan", TF_LOG="debug", TF_LOG_SDK_PROTO="trace")
    assert rc == 3 and reattach
    assert (tmp_path / "seen" / "provider-log").read_text().split() == ["trace", "unset"]


def test_chdir_is_the_directory_the_provider_is_found_and_started_in(tmp_path, stack):
    executable(stack / PROVIDER_DIR / "terraform-provider-aws_v5.100.0_x5", FAKE_PROVIDER)
    rc, (reattach, _, args) = wrapped(tmp_path, tmp_path, f"-chdir={stack.name}", "apply", "-auto-approve")
    assert rc == 3 and reattach and args == f"-chdir={stack.name} apply -auto-approve"
    assert (tmp_path / "seen" / "provider-cwd").read_text().strip() == str(stack)
    assert oneprovider.subcommand(["-chdir=a", "-no-color", "show", "-json"]) == ("show", Path.cwd() / "a")


@pytest.mark.parametrize("args", [["init", "-input=false"], ["output", "-json"], ["fmt", "-check"], ["version"]])
def test_init_and_commands_without_a_provider_run_as_terraform_alone(tmp_path, stack, args):
    executable(stack / PROVIDER_DIR / "terraform-provider-aws_v5.100.0_x5", FAKE_PROVIDER)
    rc, (reattach, _, seen_args) = wrapped(tmp_path, stack, *args)
    assert rc == 3 and seen_args == " ".join(args)
    assert reattach == "", "a reattached provider is not installed by init, nor locked"
    assert not (tmp_path / "seen" / "provider-cwd").exists(), "no provider started"


def test_no_installed_provider_or_a_silent_one_runs_terraform_alone(tmp_path, stack):
    rc, (reattach, _, _) = wrapped(tmp_path, stack, "plan")
    assert rc == 3 and reattach == "", "not initialised: Terraform says so itself"
    executable(stack / PROVIDER_DIR / "terraform-provider-aws_v5.100.0_x5", SILENT_PROVIDER)
    rc, (reattach, _, _) = wrapped(tmp_path, stack, "plan")
    assert rc == 3 and reattach == "", "a provider that does not say where it listens is not used"
    executable(stack / ".terraform/providers" / ADDRESS / "5.99.0/linux_amd64/terraform-provider-aws", SILENT_PROVIDER)
    assert oneprovider.installed_provider(stack, {}) is None, "two installed: Terraform chooses, not the wrapper"


def test_the_session_runs_terraform_through_the_wrapper():
    """tests/conftest.py installs it first on PATH (unless THUMBNAILS_ONE_PROVIDER=0): the suite's time depends
    on it, so a session without it is a failure, not a slower pass."""
    if os.environ.get("THUMBNAILS_ONE_PROVIDER") == "0":
        assert oneprovider.REAL not in os.environ
        return
    found = shutil.which("terraform")
    assert found is not None and "devkit/oneprovider.py" in Path(found).read_text()
    assert oneprovider.real_terraform() == os.environ[oneprovider.REAL] != found
    real = Path(oneprovider.real_terraform()).read_bytes()[:4096]
    assert b"devkit/oneprovider.py" not in real and real.startswith(b"\x7fELF"), "Terraform itself, a Go binary"


def test_with_a_log_each_command_writes_its_seconds_and_cpu_and_still_runs(tmp_path, stack):
    executable(stack / PROVIDER_DIR / "terraform-provider-aws_v5.100.0_x5", FAKE_PROVIDER)
    log = tmp_path / "commands.jsonl"
    for args in (["plan"], ["output", "-json"], ["-chdir=.", "init"]):
        rc, lines = wrapped(tmp_path, stack, *args, **{oneprovider.LOG: str(log)})
        assert rc == 3 and lines[-1] == " ".join(args), "Terraform ran, and its exit status is the wrapper's"
    plan, output, init = [json.loads(line) for line in log.read_text().splitlines()]
    assert [plan["command"], output["command"], init["command"]] == ["plan", "output", "init"]
    assert all(line["exit"] == 3 and line["seconds"] > 0 for line in (plan, output, init))
    assert plan["provider_cpu"] >= 0 and plan["terraform_cpu"] >= 0
    assert output["provider_cpu"] == init["provider_cpu"] == 0, "no provider is started for these"
    assert (tmp_path / "seen" / "provider-stopped").is_file(), "the plan's provider was stopped"
