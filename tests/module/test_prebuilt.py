"""prebuilt: the released ZIPs deployed as they are, verified at plan against the digests this module version pins
(release/artifacts.json). The directory form is planned here offline; the S3 form (S3's own SHA-256) is planned
and applied on localaws in tests/e2e/test_prebuilt.py."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from devkit import release

from .conftest import BASE
from .planner import changes

pytestmark = pytest.mark.xdist_group("release")  # the tests that use `rebuilt` share one build
FUNCTION = "module.function.aws_lambda_function.this"
LAYER = "module.layer[0].aws_lambda_layer_version.this"


@pytest.fixture(scope="module")
def downloaded(rebuilt, tmp_path_factory):
    """A directory of release assets, as a user downloads them next to the configuration."""
    directory = tmp_path_factory.mktemp("assets")
    for name in rebuilt.files:
        shutil.copyfile(rebuilt.dist / name, directory / name)
    layer = release.read_pins()["artifacts"][rebuilt.files[1]]
    return directory, {"runtime": layer["runtime"], "architecture": layer["architecture"], "extra_formats": []}


def test_a_downloaded_release_is_deployed_as_it_is_with_nothing_built(root, downloaded):
    directory, stack = downloaded
    plan = root.plan(**BASE, **stack, prebuilt={"directory": str(directory)})
    assert not [a for a in plan.resource_changes if "terraform_data" in a], "nothing runs on the runner"
    pins = release.read_pins()["artifacts"]
    fn = changes(plan, FUNCTION)
    assert fn["filename"].endswith(f"/{release.FUNCTION}")
    assert fn["source_code_hash"] == pins[release.FUNCTION]["sha256_base64"]
    assert fn["environment"][0]["variables"]["RELEASE_VERSION"] == release.version()
    layer = changes(plan, LAYER)
    name = layer["filename"].rsplit("/", 1)[1]
    assert pins[name]["runtime"] == stack["runtime"] and layer["source_code_hash"] == pins[name]["sha256_base64"]


def test_a_local_build_says_so_in_its_release_version(root):
    fn = changes(root.plan(**BASE), FUNCTION)
    assert fn["environment"][0]["variables"]["RELEASE_VERSION"] == f"{release.version()}+build"


def test_a_changed_or_missing_asset_fails_the_plan_naming_it(root, downloaded, tmp_path):
    directory, stack = downloaded
    changed = tmp_path / "assets"
    shutil.copytree(directory, changed)
    (changed / release.FUNCTION).write_bytes(b"not the release")
    layer = f"thumbnails-layer-{stack['runtime']}-{stack['architecture']}.zip"  # the one the stack uses
    (changed / layer).unlink()
    pins = release.read_pins()
    errors = root.plan_errors([{**BASE, **stack, "prebuilt": {"directory": str(changed)}}])[0]
    found = hashlib.sha256(b"not the release").hexdigest()
    assert (
        f"{changed}/{release.FUNCTION} is not the release {pins['version']}'s {release.FUNCTION}: its SHA-256 is "
        f"{found}, this module version pins {pins['artifacts'][release.FUNCTION]['sha256']}."
    ) in errors
    assert f"{changed}/{layer} is missing: download it from the release {pins['version']}" in errors


def test_a_combination_the_release_lacks_fails_the_plan_saying_why(root, downloaded):
    directory, _ = downloaded
    pins = release.read_pins()
    name, why = next(iter(pins["unavailable"].items()))
    parts = name.removeprefix("thumbnails-layer-").removesuffix(".zip").split("-")
    stack = {"runtime": parts[0], "architecture": parts[1], "extra_formats": parts[2:]}
    error = root.plan_errors([{**BASE, **stack, "prebuilt": {"directory": str(directory)}}])[0]
    assert f"prebuilt: {name} is not part of the release {pins['version']}: {why}" in error
    assert "or build locally (prebuilt = null)" in error
