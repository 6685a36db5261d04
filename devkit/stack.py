"""A copy of this module and its examples, pointed at a local endpoint, for the demo and the end-to-end tests.

The module's sources are copied with their layout (so ``source = "../.."`` still resolves), and the example gets a
provider override file (``localaws_override.tf.json``; Terraform merges ``*_override`` files into the provider
block) with the local endpoint for every service the stack uses, and ``localaws.auto.tfvars.json`` with what a
local run sets. Nothing is written into the repository.

    python -m devkit.stack EXAMPLE DIR --endpoint http://127.0.0.1:4566
        # copies the module to DIR, points DIR/examples/EXAMPLE at the endpoint, prints that directory
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from devkit.hcl import blocks
from devkit.terraform import initialised
from localaws.runtime import LOCAL_RUNTIME  # the Python that executes functions locally
from localaws.terraform import provider_settings

ROOT = Path(__file__).resolve().parents[1]
MODULE_PARTS = (
    "main.tf",
    "variables.tf",
    "outputs.tf",
    "versions.tf",
    "modules",
    "function",
    "layer",
    "release",
    "examples",
)


def copy_module(target: Path) -> Path:
    """Copy the module (root, submodules, sources, examples) to ``target``; returns it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".terraform", "*.tfstate*", "localaws*")
    target.mkdir(parents=True, exist_ok=True)
    for part in MODULE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / part)
    return target


def provider_override(endpoint_url: str, region: str = "us-east-1") -> dict:
    """The provider block ``localaws terraform`` writes (localaws/terraform.py), with a region."""
    return {"provider": {"aws": {"region": region, **provider_settings(endpoint_url)}}}


def local_stack(target: Path, endpoint_url: str, example: str = "complete") -> Path:
    """A copy of the module whose example talks to ``endpoint_url``; returns the example's directory."""
    copy_module(target)
    stack = target / "examples" / example
    (stack / "localaws_override.tf.json").write_text(json.dumps(provider_override(endpoint_url), indent=2) + "\n")
    declared = {name for name, _ in blocks(stack / "variables.tf", "variable")}
    local = {name: value for name, value in local_variables().items() if name in declared}
    (stack / "localaws.auto.tfvars.json").write_text(json.dumps(local, indent=2) + "\n")
    return stack


def local_terraform(target: Path, endpoint_url: str, example: str = "complete") -> Any:
    """``local_stack``, initialised: the ``tftest.TerraformTest`` of the example's copy."""
    return initialised(local_stack(target, endpoint_url, example))


def local_variables() -> dict[str, object]:
    """What a local run sets: the local Python's runtime, a layer built for this machine, disposable buckets, and
    no TLS-only bucket policy (the local endpoint speaks plain HTTP, so S3 would refuse every request)."""
    return {"runtime": LOCAL_RUNTIME, "layer_build_target": "host", "force_destroy": True, "tls_only": False}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="An example of this module, ready to apply on a local endpoint.")
    parser.add_argument("example", choices=sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir()))
    parser.add_argument("directory", type=Path, help="where the copy goes (outside the repository, or under build/)")
    parser.add_argument("--endpoint", default="http://127.0.0.1:4566", help="localaws's ready line's URL")
    args = parser.parse_args(argv)
    print(local_stack(args.directory.resolve(), args.endpoint, args.example))
    return 0


if __name__ == "__main__":
    sys.exit(main())
