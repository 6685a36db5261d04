"""Find the AWS CLI v2 (Debian's awscli package; PyPI's awscli is v1, which lacks --cli-binary-format)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CANDIDATES = ("/usr/bin/aws", "/usr/local/bin/aws")


def version(binary: str) -> str:
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip()


def find() -> str:
    """``$AWS_CLI`` if set, else the first ``aws`` on PATH or in the usual places that reports version 2."""
    if configured := os.environ.get("AWS_CLI"):
        return configured
    seen: list[str] = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(directory) / "aws"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            seen.append(str(candidate))
    seen += [str(c) for c in CANDIDATES if Path(c).is_file()]
    for command in dict.fromkeys(seen):
        if version(command).startswith("aws-cli/2."):
            return command
    raise FileNotFoundError(
        "AWS CLI v2 not found (checked "
        + (", ".join(f"{c}: {version(c) or '?'}" for c in dict.fromkeys(seen)) or "PATH")
        + "). `make setup` installs Debian's awscli package; or set AWS_CLI to a v2 binary."
    )


def environment(endpoint_url: str, region: str = "us-east-1") -> dict[str, str]:
    """Credentials, region and endpoint for a local endpoint. AWS_ENDPOINT_URL serves CLI 2.13 and later; Debian's
    CLI 2.9 predates it, so callers pass --endpoint-url as well."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="localaws",
        AWS_SECRET_ACCESS_KEY="localaws",
        AWS_DEFAULT_REGION=region,
        AWS_PAGER="",
        AWS_ENDPOINT_URL=endpoint_url,
    )
    return env
