"""What `make setup` needs from the machine beyond Python packages: Terraform, and the AWS CLI v2.

Standard library only (it runs before the virtualenv exists). Installs Debian's awscli package when the CLI v2 is
missing and apt-get is there; otherwise says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devkit import awscli


def ensure_awscli() -> None:
    try:
        print(f"AWS CLI v2: {awscli.find()}")
        return
    except FileNotFoundError as missing:
        reason = str(missing)
    apt = shutil.which("apt-get")
    if not apt:
        raise SystemExit(f"{reason}\nInstall the AWS CLI v2 (https://docs.aws.amazon.com/cli/) and run make again.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("Installing the AWS CLI v2 from Debian's packages (awscli)...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, apt, "-q", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*sudo, apt, "-q", "install", "-y", "--no-install-recommends", "awscli"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    print(f"AWS CLI v2: {awscli.find()}")


def ensure_terraform() -> None:
    if not shutil.which("terraform"):
        raise SystemExit("Terraform is not on PATH: install Terraform 1.9 or later and run make again.")
    print(
        "Terraform: " + subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout.splitlines()[0]
    )


if __name__ == "__main__":
    ensure_terraform()
    ensure_awscli()
