"""Terraform with one aws provider process per command, where Terraform would start several.

Within one command Terraform starts the aws provider again for each of its walks (the schema, validate, plan,
apply), and each start sets up the provider and sends its whole schema: a small plan took 2.8 s of CPU that way
and 2.0 s against one provider, an apply of the example stack 8.1 s and 6.9 s (docs/testing.md). Terraform can
instead attach to a provider that is already running (``TF_REATTACH_PROVIDERS``, the provider started with
``-debug``, as provider developers do). This script starts the working directory's own provider that way, runs the
one Terraform command against it and stops it, so nothing is shared between commands: a command sees a provider
started in its own directory, from the binary ``terraform init`` installed there, with its environment.

    python devkit/oneprovider.py TERRAFORM_ARGS...    # as `terraform` (the tests put it first on PATH)

``init`` (and any command but those below) runs Terraform unchanged: a reattached provider is not installed, so
init would skip it and write no lock for it. Without an installed aws provider, or when the provider does not say
where it listens, the command runs unchanged too: the wrapper may cost time, never a result.

Only the standard library: the tests' PATH runs it with the interpreter that wrote the wrapper.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

# The commands that start providers. `init` installs them (a reattached one would be skipped); `output`, `fmt`,
# `version`, `workspace` and the like start none.
COMMANDS = {"plan", "apply", "destroy", "refresh", "import", "show", "validate", "console", "state", "providers"}
PROVIDER = Path("registry.terraform.io") / "hashicorp" / "aws"
REAL = "THUMBNAILS_TERRAFORM"  # the real terraform binary; the wrapper on PATH sets it
# A provider's second configuration in one process fails when AWS_CA_BUNDLE is set (hashicorp/aws 5.100 wraps its
# HTTP client again: "unable to add custom RootCAs HTTPClient"); `apply` configures twice (plan, then apply). The
# endpoints the tests and the demo use are localaws's, plain HTTP, so the provider runs without it.
DROPPED = ("AWS_CA_BUNDLE",)
# A provider started with -debug logs every call at TRACE to its stderr whatever TF_LOG says (each logger reads its
# own variable): 23 MB for the example stack's apply, plan and destroy, 3% of the provider's CPU. Started by
# Terraform, it logs nothing unless TF_LOG is set; so here too, unless TF_LOG is set (then its log is passed on).
QUIET = {
    name: "off"
    for name in ("TF_LOG_PROVIDER", "TF_LOG_PROVIDER_AWS", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_MUX")
    + ("TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_HELPER_SCHEMA", "TF_LOG_SDK_HELPER_RESOURCE")
}
HANDSHAKE_S = 60
# A file to append one JSON line to for every command (its subcommand, seconds, and the CPU seconds of Terraform
# and of the provider): devkit/testreport.py sets it and sums the lines into the suite's report.
LOG = "THUMBNAILS_TERRAFORM_LOG"
REATTACH = "TF_REATTACH_PROVIDERS"


def subcommand(args: list[str]) -> tuple[str | None, Path]:
    """Terraform's subcommand and working directory (``-chdir=DIR``, a global option before it)."""
    directory = Path.cwd()
    for arg in args:
        if arg.startswith("-chdir="):
            directory = directory / arg.split("=", 1)[1]
        elif not arg.startswith("-"):
            return arg, directory
    return None, directory


def installed_provider(directory: Path, environ: dict[str, str]) -> Path | None:
    """The aws provider ``terraform init`` installed for ``directory`` (``TF_DATA_DIR``, else ``.terraform``), when
    exactly one is."""
    data = directory / environ.get("TF_DATA_DIR", ".terraform")
    found = sorted((data / "providers" / PROVIDER).glob("*/*/terraform-provider-aws*"))
    return found[0] if len(found) == 1 else None


def _die_with_parent() -> None:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: a killed wrapper leaves no provider behind


def start(binary: Path, directory: Path, environ: dict[str, str]) -> tuple[subprocess.Popen, str | None]:
    """The provider, started in ``directory``, and the value of TF_REATTACH_PROVIDERS it prints (None if it does
    not within HANDSHAKE_S)."""
    env = {name: value for name, value in environ.items() if name not in DROPPED}
    logging = bool(env.get("TF_LOG"))
    provider = subprocess.Popen(
        [str(binary), "-debug"],
        cwd=directory,
        env=env if logging else {**QUIET, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=None if logging else subprocess.DEVNULL,
        text=True,
        preexec_fn=_die_with_parent,
    )
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:  # and keep reading to the end, so the provider never blocks on a full pipe
        assert provider.stdout is not None
        for line in provider.stdout:
            if not found and f"{REATTACH}=" in line:
                found.append(line.split("=", 1)[1].strip().strip("'"))
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(HANDSHAKE_S)
    try:
        reattach = json.dumps(json.loads(found[0])) if found else None
    except ValueError:  # a line we cannot read is a provider we do not use
        reattach = None
    return provider, reattach


def stop(provider: subprocess.Popen) -> None:
    if provider.poll() is None:
        provider.terminate()
        try:
            provider.wait(10)
        except subprocess.TimeoutExpired:
            provider.kill()
            provider.wait()


def _on_path(path: str | None = None) -> str | None:
    """The ``terraform`` that ``path`` (PATH's syntax; None: this process's PATH) finds, its links resolved."""
    found = shutil.which("terraform", path=path)
    return str(Path(found).resolve()) if found else None


def real_terraform() -> str:
    """Terraform itself, not the wrapper: for what must run as a user's machine runs it."""
    found = os.environ.get(REAL) or _on_path()
    if found is None:
        raise FileNotFoundError("terraform is not on PATH")
    return found


def install(directory: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """Write ``directory/terraform``, this script as ``terraform``, and return the environment that puts it first on
    PATH; nothing when Terraform is missing or a wrapper is already installed (a test session run inside one), or
    when THUMBNAILS_ONE_PROVIDER=0."""
    env = os.environ if environ is None else environ
    real = _on_path(env.get("PATH"))
    if real is None or REAL in env or env.get("THUMBNAILS_ONE_PROVIDER") == "0":
        return {}
    wrapper = directory / "terraform"
    wrapper.write_text(
        f"#!/bin/sh\n# devkit/oneprovider.py as terraform\n"
        f"export {REAL}={shlex.quote(real)}\n"
        f'exec {shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))} "$@"\n'
    )
    wrapper.chmod(0o755)
    return {"PATH": f"{directory}{os.pathsep}{env.get('PATH', '')}", REAL: real}


def run(args: list[str], environ: dict[str, str] | None = None) -> int:
    env = dict(os.environ if environ is None else environ)
    command, directory = subcommand(args)
    binary = installed_provider(directory, env) if command in COMMANDS else None
    provider, reattach = (None, None) if binary is None or REATTACH in env else start(binary, directory, env)
    if provider is not None and reattach is None:  # a provider that did not say where it listens: not used
        stop(provider)
        provider = None
    if provider is None and not env.get(LOG):
        terraform = env.get(REAL) or "terraform"
        os.execvpe(terraform, [terraform, *args], env)
    return terraform_with(args, env if reattach is None else {**env, REATTACH: reattach}, provider, command)


def terraform_with(args: list[str], env: dict[str, str], provider: subprocess.Popen | None, command: str | None) -> int:
    """Terraform as a child, then the provider stopped; with a LOG file, one line for the command: its seconds and
    the CPU seconds of Terraform and of the provider (each counted as it is reaped)."""
    started, base = time.monotonic(), children_cpu()
    try:
        child = subprocess.Popen([env.get(REAL) or "terraform", *args], env=env)
        for sig in (signal.SIGINT, signal.SIGTERM):  # Terraform stops gracefully on either: let it
            signal.signal(sig, lambda number, _frame: child.send_signal(number))
        code = child.wait()
        terraform_cpu = children_cpu() - base
    finally:
        if provider is not None:
            stop(provider)
    if env.get(LOG):
        line = {"command": command, "exit": code, "seconds": round(time.monotonic() - started, 3)}
        provider_cpu = children_cpu() - base - terraform_cpu
        line |= {"terraform_cpu": round(terraform_cpu, 3), "provider_cpu": round(provider_cpu, 3)}
        with open(env[LOG], "a") as log:
            log.write(json.dumps(line) + "\n")  # one short append: the workers' lines do not interleave
    return code


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
