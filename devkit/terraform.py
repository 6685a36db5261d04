"""Run Terraform without the network when the machine has a provider mirror, unchanged when it has not.

The hashicorp/aws provider is looked for as a filesystem mirror (``registry.terraform.io/hashicorp/aws`` below
a directory): ``$TF_PROVIDER_MIRROR`` if set, else the usual places. When one is found, a CLI configuration with
a ``filesystem_mirror`` block is written and ``TF_CLI_CONFIG_FILE`` points to it; when none is, a user's own
configuration (or the registry) is used as is.

    python -m devkit.terraform        # prints the environment to export, e.g. eval "$(python -m devkit.terraform)"
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROVIDER = Path("registry.terraform.io") / "hashicorp" / "aws"
CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)


def find_mirror(environ: dict[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    configured = env.get("TF_PROVIDER_MIRROR")
    candidates = [configured] if configured else list(CANDIDATES)
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if (path / PROVIDER).is_dir():
            return path
    if configured:
        raise SystemExit(f"TF_PROVIDER_MIRROR={configured} holds no {PROVIDER} directory")
    return None


def cli_config(mirror: Path, plugin_cache: Path) -> str:
    return f"""# Written by devkit/terraform.py: the aws provider from the machine's mirror, anything else as usual.
plugin_cache_dir = "{plugin_cache}"
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }}
}}
"""


def layer_cache(build_dir: Path = ROOT / "build") -> dict[str, str]:
    """One layer build per set of locked inputs for every stack this checkout applies (the demo's, the tests'):
    modules/layer/build_layer.py copies a ZIP it built before from this directory. A cache the caller set wins."""
    return {"THUMBNAILS_LAYER_CACHE": os.environ.get("THUMBNAILS_LAYER_CACHE") or str(build_dir / "layer-cache")}


# Terraform and the aws provider are Go programs that live for one command, and much of a command's CPU is the
# provider building and Terraform decoding the provider's schema, garbage collected at Go's default (GOGC=100). At
# 400 a plan of 25 module calls took 22.6 s of CPU instead of 32.6 s, for twice the peak memory (1.3 GB), and a
# one-call plan a quarter less for 15% more (docs/testing.md); a value the caller set wins.
GO_GC = "400"


def go_runtime() -> dict[str, str]:
    """The Go runtime's settings for Terraform and its providers (a plugin inherits Terraform's environment)."""
    return {"GOGC": os.environ.get("GOGC") or GO_GC}


def environment(build_dir: Path = ROOT / "build") -> dict[str, str]:
    """The variables to add to a Terraform run's environment: the layer cache, the Go runtime's settings, and the
    mirror's configuration when a mirror is found."""
    existing = os.environ.get("TF_CLI_CONFIG_FILE")
    mirror = find_mirror()
    if mirror is None or (existing and Path(existing).is_file() and "TF_PROVIDER_MIRROR" not in os.environ):
        return {**layer_cache(build_dir), **go_runtime()}  # the user's own configuration, or the public registry
    cache = build_dir / "terraform-plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    config = build_dir / "terraformrc"
    text = cli_config(mirror, cache)
    if not config.is_file() or config.read_text() != text:
        config.write_text(text)
    return {
        **layer_cache(build_dir),
        **go_runtime(),
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "1",
        "CHECKPOINT_DISABLE": "1",  # no version check over the network on every run
    }


def initialised(directory: Path) -> Any:
    """A ``tftest.TerraformTest`` for ``directory``, run with this machine's provider mirror, after init."""
    tf = uninitialised(directory)
    tf.setup(cleanup_on_exit=False)
    return tf


def uninitialised(directory: Path) -> Any:
    """The same, without running init: for a directory whose ``.terraform`` is already there."""
    import tftest  # a test dependency: only the tests and the e2e helpers call this

    return tftest.TerraformTest(str(directory), env={**os.environ, **environment()})


def main() -> int:
    for name, value in environment().items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
