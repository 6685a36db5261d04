"""``terraform validate`` for the root module, every submodule and every example (make test, pre-commit).

Each is validated in place with ``terraform init -backend=false`` (offline: the provider comes from the mirror
that ``devkit.terraform`` finds), so a submodule is checked as a caller who sources it alone would use it.

    python -m devkit.validate   # exit 1 naming every directory that does not validate
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devkit.terraform import ROOT, environment


def directories() -> list[Path]:
    modules = sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file())
    examples = sorted(p for p in (ROOT / "examples").iterdir() if (p / "main.tf").is_file())
    return [ROOT, *modules, *examples]


def validate(directory: Path) -> str | None:
    """None when ``directory`` validates, else what Terraform said."""
    env = {**os.environ, **environment()}
    for command in (["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"]):
        done = subprocess.run(["terraform", *command], cwd=directory, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return (done.stdout + done.stderr).strip()
    return None


def main() -> int:
    failed = {d: error for d in directories() if (error := validate(d)) is not None}
    for directory, error in failed.items():
        print(f"{directory.relative_to(ROOT) or '.'}: terraform validate failed:\n{error}\n", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
