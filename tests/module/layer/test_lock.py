"""The layer's supply chain: its requirements locked with every wheel's hash (`make lock`, devkit/lock.py), the
locks current, and a wheel that does not match its hash failing the build with the package named."""

from __future__ import annotations

import sys

import pytest

from devkit import lock

from ..planner import ROOT
from ..scripts import load

build_layer = load("layer", "build_layer.py")
REQUIREMENTS = lock.requirements_files()


@pytest.mark.parametrize("requirements", REQUIREMENTS, ids=lambda p: p.relative_to(ROOT / "layer").as_posix())
def test_every_requirements_file_has_a_current_lock(requirements):
    locked = requirements.with_suffix(".lock")
    assert locked.is_file(), f"{locked.name} is missing: run `make lock`"
    text = locked.read_text()
    assert text.startswith(lock.header(requirements)), (
        f"{requirements.name} changed since {locked.name}: run `make lock`"
    )
    assert lock.pins(locked) == lock.pins(requirements)
    for name, version in lock.pins(requirements):
        entry = text.split(f"{name}=={version}", 1)[1].split("==", 1)[0]
        assert entry.count("--hash=sha256:") >= 2 or lock.UNIVERSAL in entry, (
            f"{name}: a hash per platform wheel (x86_64 and aarch64 at least), unless one pure-Python wheel serves all"
        )


def test_a_wheel_that_does_not_match_the_lock_fails_the_build_naming_it(tmp_path):
    tampered = tmp_path / "requirements.lock"
    tampered.write_text("pillow==13.0.0 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    with pytest.raises(build_layer.BuildError) as raised:
        build_layer.build(tampered, tmp_path / "layer.zip", runtime, "x86_64", "host", 0)
    message = str(raised.value)
    assert message.startswith("pillow==13.0.0: the wheel the index served does not match the hash in the lock")
    assert not (tmp_path / "layer.zip").exists()
