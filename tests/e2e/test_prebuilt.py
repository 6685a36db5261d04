"""Installing from the released ZIPs on localaws: `make release`'s bytes (rebuilt from a fresh copy), published with
S3's SHA-256 checksums by `make publish`'s commands, applied by Terraform with a PATH that holds Terraform and a
shell and no Python or pip, and verified at plan against the digests the module pins.

localaws runs functions with this machine's Python (3.11), so the stack deploys the released python3.11 layer of
this machine's architecture: it is built for Lambda's python3.11 (Amazon Linux 2, manylinux2014 wheels), which
load on the newer glibc here too.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tftest

from devkit import awscli, release
from devkit.oneprovider import real_terraform
from devkit.stack import LOCAL_RUNTIME, local_stack
from devkit.terraform import environment

from .test_pipeline import changed, photo, thumbnail

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("release")]  # shares the `rebuilt` build
PREFIX = f"thumbnails/{release.version()}"
FUNCTION = "module.thumbnails.module.function.aws_lambda_function.this"


def runner_path(directory: Path) -> str:
    """A PATH of Terraform and a shell only: what a locked-down runner has."""
    directory.mkdir()
    for tool in ("sh", "bash"):
        (directory / tool).symlink_to(shutil.which(tool))
    (directory / "terraform").symlink_to(real_terraform())  # not the tests' one-provider wrapper: Terraform alone
    return str(directory)


def terraform(stack: Path, path: str | None) -> tftest.TerraformTest:
    env = {**os.environ, **environment()}
    if path is not None:
        env["PATH"] = path
    tf = tftest.TerraformTest(str(stack), binary=real_terraform() if path else shutil.which("terraform"), env=env)
    tf.setup(cleanup_on_exit=False)
    return tf


@pytest.fixture(scope="module")
def published(rebuilt, endpoint, client, monkeypatch_module):
    """The rebuilt release, uploaded as `make publish` uploads it (the AWS CLI's put-object with its SHA-256)."""
    assert rebuilt.returncode == 0, rebuilt.output
    client("s3").create_bucket(Bucket="releases")
    for name, value in awscli.environment(endpoint).items():
        monkeypatch_module.setenv(name, value)
    monkeypatch_module.setenv("PATH", f"{Path(awscli.find()).parent}{os.pathsep}{os.environ['PATH']}")
    assert release.publish(rebuilt.dist, "releases", PREFIX, False, ["--endpoint-url", endpoint]) == 0
    return rebuilt


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@dataclass
class Prebuilt:
    tf: tftest.TerraformTest
    stack: Path
    variables: dict[str, str]
    work: Path  # the runner's bin/ and the fresh checkout of the way back


@pytest.fixture(scope="module")
def prebuilt(published, endpoint, tmp_path_factory) -> Iterator[Prebuilt]:
    """examples/prebuilt applied by a runner with only Terraform and a shell on its PATH; shared by the tests below,
    in file order (each leaves it as it found it), destroyed at the end."""
    work = tmp_path_factory.mktemp("prebuilt")
    path = runner_path(work / "bin")
    for tool in ("python3", "python", "pip", "pip3"):
        assert shutil.which(tool, path=path) is None, f"{tool} must not be on the runner's PATH"
    stack = local_stack(work / "module", endpoint, example="prebuilt")
    tf = terraform(stack, path)
    variables = {"release_bucket": "releases", "release_prefix": PREFIX, "name_prefix": "prebuilt-e2e"}
    tf.apply(tf_vars=variables)
    try:
        yield Prebuilt(tf, stack, variables, work)
    finally:
        tf.destroy(tf_vars=variables)


def test_a_runner_with_only_terraform_installs_the_release_and_it_makes_thumbnails(prebuilt, published, client):
    tf, stack, variables = prebuilt.tf, prebuilt.stack, prebuilt.variables
    assert not list((stack / ".terraform").glob("thumbnails*")), "nothing was built"
    functions = client("lambda").list_functions()["Functions"]
    fn = next(f for f in functions if f["FunctionName"] == "prebuilt-e2e-thumbnails")
    pins = release.read_pins()["artifacts"]
    assert fn["CodeSha256"] == pins[release.FUNCTION]["sha256_base64"] and fn["Runtime"] == LOCAL_RUNTIME
    *_, layer_name, number = fn["Layers"][0]["Arn"].split(":")
    layer = client("lambda").get_layer_version(LayerName=layer_name, VersionNumber=int(number))
    assert layer["Content"]["CodeSha256"] == pins[published.files[1]]["sha256_base64"]
    assert fn["Environment"]["Variables"]["RELEASE_VERSION"] == release.version()

    bucket = tf.output()["source_bucket"]
    client("s3").put_object(Bucket=bucket, Key="uploads/released.jpg", Body=photo(1600, 1200))
    assert thumbnail(client, bucket, "thumbnails/256/uploads/released.jpg").size == (256, 192)  # the default size
    assert changed(tf.plan(output=True, tf_vars=variables)) == {}, "a second plan shows no changes"


def test_a_replaced_or_unchecked_release_object_fails_the_plan(prebuilt, published, client):
    tampered_and_unchecked(prebuilt.tf, prebuilt.variables, client, published)


# The switch is two steps on the shared stack, in order (the xdist group keeps them on one worker): no single test
# holds both applies, the fresh checkout's init and the stack's destroy.
def test_a_switch_to_a_local_build_updates_in_place(prebuilt):
    switched_to_a_local_build(prebuilt.tf, prebuilt.stack, prebuilt.variables)


def test_and_back_to_the_release_from_a_saved_plan_in_a_fresh_checkout(prebuilt, endpoint):
    switched_back_to_the_release(prebuilt.tf, prebuilt.stack, prebuilt.variables, prebuilt.work, endpoint)


def tampered_and_unchecked(tf, variables, client, published) -> None:
    """Other bytes under a released name fail the plan naming the object and both digests; an object uploaded
    without a checksum fails it with the command that uploads it correctly."""
    s3 = client("s3")
    key = f"{PREFIX}/{release.FUNCTION}"
    pins = release.read_pins()
    pinned = pins["artifacts"][release.FUNCTION]
    other = b"PK\x05\x06" + bytes(18)  # an empty ZIP: another file altogether
    s3.put_object(Bucket="releases", Key=key, Body=other, ChecksumAlgorithm="SHA256")
    found = s3.head_object(Bucket="releases", Key=key, ChecksumMode="ENABLED")["ChecksumSHA256"]
    error = plan_error(tf, variables)
    assert (
        f"prebuilt: s3://releases/{key} is not the release {pins['version']}'s {release.FUNCTION}: S3 reports "
        f"SHA-256 {found}, this module version pins {pinned['sha256_base64']} (base64; {pinned['sha256']} in hex)."
    ) in error
    s3.put_object(Bucket="releases", Key=key, Body=(published.dist / release.FUNCTION).read_bytes())
    error = plan_error(tf, variables)
    assert f"prebuilt: s3://releases/{key} has no SHA-256 checksum in S3" in error
    command = (
        f"aws s3api put-object --bucket releases --key {key} --body {release.FUNCTION} --checksum-algorithm SHA256 "
        f"--checksum-sha256 {pinned['sha256_base64']}"
    )
    assert f"Upload it with S3's checksum: {command}" in error
    # The command the message gives puts it right.
    s3.put_object(
        Bucket="releases", Key=key, Body=(published.dist / release.FUNCTION).read_bytes(),
        ChecksumAlgorithm="SHA256", ChecksumSHA256=pinned["sha256_base64"],
    )  # fmt: skip
    assert changed(tf.plan(output=True, tf_vars=variables)) == {}


def plan_error(tf, variables) -> str:
    with pytest.raises(tftest.TerraformTestError) as raised:
        tf.plan(output=True, tf_vars=variables)
    return " ".join(str(raised.value.cmd_error or raised.value).replace("│", " ").split())


def switched_to_a_local_build(tf, stack, variables) -> None:
    """Prebuilt -> local build: the function, its role and its trigger are updated in place (a new layer version is
    published: layer versions are immutable)."""
    override = stack / "local_build_override.tf"
    override.write_text('module "thumbnails" {\n  prebuilt = null\n}\n')
    local = terraform(stack, None)  # a local build needs Python and pip
    actions = changed(local.plan(output=True, tf_vars=variables))
    assert actions[FUNCTION] == ["update"]
    assert not [a for a, act in actions.items() if "delete" in act and "layer_version" not in a], actions
    local.apply(tf_vars=variables)
    override.unlink()


def switched_back_to_the_release(tf, stack, variables, tmp_path, endpoint) -> None:
    """Local build -> prebuilt, in place again. The way back is a saved plan, applied in a fresh checkout with the
    state."""
    assert not (stack / "local_build_override.tf").exists(), "the switch to a local build ran first"
    tf.execute_command("plan", "-input=false", "-out=back.tfplan", *(f"-var={k}={v}" for k, v in variables.items()))
    fresh = local_stack(tmp_path / "fresh", endpoint, example="prebuilt")
    shutil.copy(stack / "back.tfplan", fresh / "back.tfplan")
    shutil.copy(stack / "terraform.tfstate", fresh / "terraform.tfstate")
    fresh_tf = terraform(fresh, str(tmp_path / "bin"))
    fresh_tf.execute_command("apply", "-input=false", "back.tfplan")
    shutil.copy(fresh / "terraform.tfstate", stack / "terraform.tfstate")
    assert changed(tf.plan(output=True, tf_vars=variables)) == {}
    state = json.loads((stack / "terraform.tfstate").read_text())
    assert not [r for r in state["resources"] if r["type"] == "terraform_data"], "the local build's are gone"
