"""What `make setup` needs from the machine beyond Python packages: Terraform, the AWS CLI v2, MariaDB, and two
browsers.

Standard library only (it runs before the virtualenv exists). Installs Debian's awscli package when the CLI v2 is
missing, mariadb-server and mariadb-client when MariaDB is (the catalogue's tests start a private server of
their own with them, never the system's service), and chromium and firefox-esr when either is (tests/browser
shows the thumbnails to both engines, and `make demo` screenshots its gallery with Chromium), if apt-get is there;
otherwise says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devkit import awscli

# What pytest-mysql runs: the server (through mysqld_safe), its data directory's first setup, and its shutdown.
MARIADB_PROGRAMS = ("mysqld", "mysqld_safe", "mysql_install_db", "mysqladmin")


def apt_install(packages: list[str], reason: str) -> None:
    """Install Debian packages, or stop with ``reason`` when this machine has no apt-get. Not root: through
    ``sudo -n``, which fails at once where sudo would ask for a password (CI has nobody to type it) instead of
    waiting for one forever; then stop saying what to run."""
    apt = shutil.which("apt-get")
    if not apt:
        raise SystemExit(reason)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and subprocess.run([*sudo, "true"], capture_output=True).returncode != 0:
        raise SystemExit(
            f"{reason}\nInstalling {' '.join(packages)} needs root, and sudo wants a password (sudo -n refused): run "
            f"`sudo apt-get install {' '.join(packages)}` yourself, then make again."
        )
    print(f"Installing {' '.join(packages)} from Debian's packages...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, apt, "-q", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*sudo, apt, "-q", "install", "-y", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure_awscli() -> None:
    try:
        print(f"AWS CLI v2: {awscli.find()}")
        return
    except FileNotFoundError as missing:
        reason = str(missing)
    apt_install(["awscli"], f"{reason}\nInstall the AWS CLI v2 (https://docs.aws.amazon.com/cli/) and run make again.")
    print(f"AWS CLI v2: {awscli.find()}")


def ensure_mariadb() -> None:
    missing = [name for name in MARIADB_PROGRAMS if not shutil.which(name)]
    if missing:
        apt_install(
            ["mariadb-server", "mariadb-client"],
            f"MariaDB is missing ({', '.join(missing)} not on PATH): install mariadb-server and mariadb-client "
            "(the catalogue's tests start a private server with them) and run make again.",
        )
    version = subprocess.run(["mysqld", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"MariaDB: {version}")


# Debian's packages of the two browser engines tests/browser looks through (Blink and Gecko), by program name.
BROWSERS = {"chromium": "chromium", "firefox-esr": "firefox-esr"}


def ensure_browsers() -> None:
    missing = [package for package, name in BROWSERS.items() if not shutil.which(name)]
    if missing:
        apt_install(
            missing,
            f"{' and '.join(missing)} missing: install Debian's chromium and firefox-esr (tests/browser shows the "
            "thumbnails to both; make demo screenshots its gallery with Chromium) and run make again.",
        )
    for name in BROWSERS.values():
        shown = subprocess.run([name, "--version"], capture_output=True, text=True).stdout.strip().splitlines()
        print(f"{name}: {shown[-1] if shown else 'installed'}")


def ensure_terraform() -> None:
    if not shutil.which("terraform"):
        raise SystemExit("Terraform is not on PATH: install Terraform 1.9 or later and run make again.")
    print(
        "Terraform: " + subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout.splitlines()[0]
    )


if __name__ == "__main__":
    ensure_terraform()
    ensure_awscli()
    ensure_mariadb()
    ensure_browsers()
