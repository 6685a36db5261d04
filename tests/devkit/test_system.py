"""`make setup`'s system packages: where sudo would ask for a password, it stops with what to run instead of
waiting for one (CI has nobody to type it)."""

from __future__ import annotations

import subprocess

import pytest

from devkit import system


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    ran: list[list[str]] = []
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(system.shutil, "which", lambda name: f"/usr/bin/{name}")
    return ran


def test_sudo_never_asks_for_a_password(monkeypatch: pytest.MonkeyPatch, commands: list[list[str]]):
    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        return subprocess.CompletedProcess(command, 1 if command[:2] == ["sudo", "-n"] else 0)

    monkeypatch.setattr(system.subprocess, "run", run)
    with pytest.raises(SystemExit, match=r"needs root, and sudo wants a password \(sudo -n refused\): run `sudo "):
        system.apt_install(["mariadb-server"], "MariaDB is missing")
    assert commands == [["sudo", "-n", "true"]], "nothing that could prompt ran"


def test_with_passwordless_sudo_every_command_is_non_interactive(
    monkeypatch: pytest.MonkeyPatch, commands: list[list[str]]
):
    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(system.subprocess, "run", run)
    system.apt_install(["awscli"], "no AWS CLI")
    assert [c[:2] for c in commands] == [["sudo", "-n"]] * 3
    assert commands[-1][-1] == "awscli" and "-y" in commands[-1]


def test_ci_closes_stdin():
    script = (system.Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "make test </dev/null" in script


def test_missing_browsers_are_installed_from_debian(monkeypatch: pytest.MonkeyPatch):
    """tests/browser never skips for want of a browser: `make setup` installs both engines."""
    installed: list[list[str]] = []
    monkeypatch.setattr(system.shutil, "which", lambda name: None if name == "firefox-esr" else f"/usr/bin/{name}")
    monkeypatch.setattr(system, "apt_install", lambda packages, reason: installed.append(packages))
    monkeypatch.setattr(
        system.subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(command, 0, "Browser 1.0\n", "")
    )
    system.ensure_browsers()
    assert installed == [["firefox-esr"]]
