#!/usr/bin/env python3
"""Build a Lambda layer ZIP (``python/`` inside) from a requirements file, reproducibly.

Run by the module's ``terraform_data`` through ``local-exec``; settings arrive as environment variables:

  LAYER_REQUIREMENTS  requirements files, one per line (installed together)
  LAYER_RUNTIME       Lambda runtime, e.g. python3.13
  LAYER_ARCHITECTURE  x86_64 or arm64
  LAYER_TARGET        lambda: binary wheels for the runtime's Python, glibc and architecture (never the host's)
                      host:   wheels for the Python running this script, on this machine (the local endpoint)
  LAYER_MAX_ZIP_BYTES refuse a bigger ZIP (0: no limit; Lambda takes 50 MB through the API)
  LAYER_INDEX_URL     the package index pip installs from, over the runner's own; empty: the runner's pip
                      configuration decides (PIP_INDEX_URL, pip.conf), else https://pypi.org/simple. Either way pip
                      reads the runner's configuration and environment for the rest (PIP_EXTRA_INDEX_URL,
                      PIP_FIND_LINKS, PIP_CERT, PIP_CLIENT_CERT, PIP_TRUSTED_HOST, proxies, PIP_CONFIG_FILE and
                      the pip.conf files), and a locked file's hashes decide which wheel is installed.
  LAYER_EXCLUDE       optional files of glob patterns (relative to python/) of installed files to leave out,
                      one per line
  THUMBNAILS_LAYER_CACHE  optional: a directory of ZIPs built before, by content. A build whose requirements are
                      all locked (every wheel's hash pinned, so the same inputs give the same bytes) is copied from
                      there when it was built before, and put there when it was not. Read from the environment
                      Terraform runs in (the module never sets it); the tests and the demo share one.
  argument 1          the ZIP to write (written atomically)

Standard library only: it runs with whatever python3 the user has, wherever the module is sourced from.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DEFAULT_INDEX = "https://pypi.org/simple"  # pip's own default; devkit's lock and release name it
# Highest manylinux glibc each runtime accepts: Amazon Linux 2 (glibc 2.26) for python3.10/3.11,
# Amazon Linux 2023 (glibc 2.34) for python3.12 and later.
RUNTIME_GLIBC = {"python3.10": 26, "python3.11": 26, "python3.12": 34, "python3.13": 34, "python3.14": 34}
MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
# manylinux's legacy aliases: manylinux1 = 2_5, manylinux2010 = 2_12, manylinux2014 = 2_17.
LEGACY = {5: "manylinux1", 12: "manylinux2010", 17: "manylinux2014"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_ROOT = "python"


class BuildError(Exception):
    pass


def platform_tags(runtime: str, architecture: str, glibc: int | None = None) -> list[str]:
    """Every platform tag the runtime accepts, newest first: pip matches tags exactly, so list them all.
    ``glibc``: a higher ceiling than the runtime's own (``make lock`` covers host builds on a newer glibc)."""
    if runtime not in RUNTIME_GLIBC:
        raise BuildError(f"runtime {runtime!r} is not a supported Python runtime ({', '.join(RUNTIME_GLIBC)})")
    if architecture not in MACHINE:
        raise BuildError(f"architecture {architecture!r} must be one of {', '.join(MACHINE)}")
    machine = MACHINE[architecture]
    tags = []
    for minor in range(glibc or RUNTIME_GLIBC[runtime], 4, -1):
        tags.append(f"manylinux_2_{minor}_{machine}")
        if minor in LEGACY and not (machine == "aarch64" and minor < 17):
            tags.append(f"{LEGACY[minor]}_{machine}")
    return tags


def python_version(runtime: str) -> str:
    return runtime.removeprefix("python")


def pip_command(
    requirements: Path | list[Path],
    target: Path,
    runtime: str,
    architecture: str,
    where: str,
    index_url: str | None = None,
) -> list[str]:
    """pip with the runner's own configuration (a company's index, mirror, find-links, certificate), ``index_url``
    over its index when given; locked files (every requirement with its hashes) are installed --require-hashes,
    so where a wheel comes from does not decide what is installed."""
    files = requirements if isinstance(requirements, list) else [requirements]
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--only-binary=:all:",
        "--target",
        str(target),
    ]
    if index_url:
        command += ["--index-url", index_url]
    if all(_locked(path) for path in files):
        command.append("--require-hashes")
    for path in files:
        command += ["--requirement", str(path)]
    if where == "lambda":
        command += ["--implementation", "cp", "--python-version", python_version(runtime)]
        for tag in platform_tags(runtime, architecture):
            command += ["--platform", tag]
    return command


# Settings of a developer's pip that contradict a --target install, neutralised for the build only.
PIP_NEUTRAL = {"PIP_REQUIRE_VIRTUALENV": "0", "PIP_USER": "0", "PIP_PREFIX": "", "PIP_ROOT": ""}


def pip_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The runner's environment, pip's settings included, with those that would break a --target install off."""
    env = dict(os.environ if environ is None else environ)
    for name, value in PIP_NEUTRAL.items():
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def _locked(path: Path) -> bool:
    """A requirements file in pip's hash-checking form (what `make lock` writes)."""
    try:
        return "--hash=" in path.read_text()
    except OSError:
        return False


def check_host(runtime: str, architecture: str) -> None:
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    machine = os.uname().machine
    if runtime != here or MACHINE.get(architecture) != machine:
        raise BuildError(
            f'The "host" layer target builds wheels for this machine ({here}, {machine}), but the function '
            f'is {runtime} on {architecture}: its binary wheels would not import. Set runtime = "{here}" and '
            f'architecture = "{"arm64" if machine == "aarch64" else machine}" for the local endpoint, or build '
            f'for Lambda with the "lambda" target (build.layer_target in the root module).'
        )


def explain_pip_failure(output: str, runtime: str, architecture: str, where: str) -> str:
    if "DO NOT MATCH THE HASHES" in output:
        packages = sorted(set(re.findall(r"^\s+(\S+==\S+) from ", output, re.M))) or ["a package"]
        return (
            f"{', '.join(packages)}: the wheel the index served does not match the hash in the lock file, so the "
            "layer is not built. Either the index serves something else than what was locked (a poisoned mirror, "
            "a replaced file), or the lock is stale: run `make lock` only if you trust the change.\n"
            f"pip said:\n{output.strip()}"
        )
    missing = re.findall(r"No matching distribution found for (\S+)", output)
    names = ", ".join(missing) or "a requirement"
    if where == "host":
        return f"pip could not install {names} for this machine:\n{output.strip()}"
    glibc = RUNTIME_GLIBC[runtime]
    advice = (
        f"No binary wheel of {names} runs on {runtime} ({architecture}, manylinux up to glibc 2.{glibc}). "
        f"The layer is built for the Lambda runtime, never for this machine."
    )
    if glibc < 27:
        advice += (
            f" {runtime} runs on Amazon Linux 2 (glibc 2.26); Pillow 12.3 and later ship only manylinux_2_27/2_28 "
            "wheels. Use runtime python3.12 or later, or pin an older Pillow in your requirements file. "
            'For the local endpoint only, build.layer_target = "host" builds for this machine instead.'
        )
    return f"{advice}\npip said:\n{output.strip()}"


def read_patterns(exclude_files: Path | list[Path] | None) -> list[str]:
    if exclude_files is None:
        return []
    patterns = []
    for path in exclude_files if isinstance(exclude_files, list) else [exclude_files]:
        lines = (line.strip() for line in path.read_text().splitlines())
        patterns += [line for line in lines if line and not line.startswith("#")]
    return patterns


def write_zip(tree: Path, output: Path, exclude: list[str] = ()) -> int:
    """Sorted entries, fixed timestamps and permissions, no caches: the same tree gives the same bytes."""
    files = sorted(
        p
        for p in tree.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix != ".pyc"
        and not any(fnmatch.fnmatch(p.relative_to(tree).as_posix(), pattern) for pattern in exclude)
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=".layer-", suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in files:
                info = zipfile.ZipInfo(f"{ZIP_ROOT}/{path.relative_to(tree).as_posix()}", FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                executable = os.access(path, os.X_OK)
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                archive.writestr(info, path.read_bytes())
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output.stat().st_size


CACHE_VARIABLE = "THUMBNAILS_LAYER_CACHE"


def cache_key(
    requirements: list[Path], runtime: str, architecture: str, where: str, exclude: list[Path], index_url: str | None
) -> str | None:
    """The content address of a build, or None when it has none: an unlocked requirement may resolve to another
    version tomorrow. Everything that decides the bytes is in it, this script's own text included."""
    if not all(_locked(path) for path in requirements):
        return None
    inputs = {
        "requirements": [path.read_text() for path in requirements],
        "exclude": [path.read_text() for path in exclude],
        "runtime": runtime,
        "architecture": architecture,
        "where": where,
        # a host build's wheels are this interpreter's and this machine's
        "host": [sys.version, os.uname().machine] if where == "host" else None,
        "index": index_url,
        "script": Path(__file__).read_text(),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".layer-", suffix=".zip")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_cached(
    requirements: list[Path],
    output: Path,
    runtime: str,
    architecture: str,
    where: str,
    max_bytes: int,
    exclude: list[Path],
    index_url: str | None,
    cache: Path | None,
) -> tuple[int, bool]:
    """``build``, through the cache when there is one and the build has a content address; returns the ZIP's
    size and whether it came from the cache."""
    key = cache_key(requirements, runtime, architecture, where, exclude, index_url) if cache else None
    cached = cache / f"{key}.zip" if cache and key else None
    if cached is not None and cached.is_file():
        size = cached.stat().st_size
        if max_bytes and size > max_bytes:
            raise BuildError(too_big(size, max_bytes))
        copy_atomically(cached, output)
        return size, True
    size = build(requirements, output, runtime, architecture, where, max_bytes, exclude, index_url)
    if cached is not None:
        copy_atomically(output, cached)
    return size, False


def too_big(size: int, max_bytes: int) -> str:
    return (
        f"the layer ZIP is {size / 1e6:.1f} MB, more than Lambda accepts directly ({max_bytes / 1e6:.0f} MB): "
        "set layer_s3_bucket to upload it through S3."
    )


def build(
    requirements: Path | list[Path],
    output: Path,
    runtime: str,
    architecture: str,
    where: str,
    max_bytes: int,
    exclude_file: Path | list[Path] | None = None,
    index_url: str | None = None,
) -> int:
    if where not in ("lambda", "host"):
        raise BuildError(f'layer build target must be "lambda" or "host"; got {where!r}')
    if where == "host":
        check_host(runtime, architecture)
    else:
        platform_tags(runtime, architecture)  # validates both
    with tempfile.TemporaryDirectory(prefix="layer-build-") as work:
        tree = Path(work) / ZIP_ROOT
        command = pip_command(requirements, tree, runtime, architecture, where, index_url)
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=pip_environment())
        if done.returncode != 0:
            raise BuildError(explain_pip_failure(done.stdout + done.stderr, runtime, architecture, where))
        size = write_zip(tree, output, read_patterns(exclude_file))
    if max_bytes and size > max_bytes:
        output.unlink()
        raise BuildError(too_big(size, max_bytes))
    return size


def _paths(value: str) -> list[Path]:
    return [Path(line) for line in value.splitlines() if line.strip()]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: build_layer.py OUTPUT.zip (settings in LAYER_* environment variables)", file=sys.stderr)
        return 2
    env = os.environ
    try:
        size, cached = build_cached(
            _paths(env["LAYER_REQUIREMENTS"]),
            Path(argv[1]),
            env["LAYER_RUNTIME"],
            env["LAYER_ARCHITECTURE"],
            env.get("LAYER_TARGET", "lambda"),
            int(env.get("LAYER_MAX_ZIP_BYTES", "0") or 0),
            _paths(env.get("LAYER_EXCLUDE", "")),
            env.get("LAYER_INDEX_URL") or None,
            Path(env[CACHE_VARIABLE]) if env.get(CACHE_VARIABLE) else None,
        )
    except BuildError as exc:
        print(f"layer build failed: {exc}", file=sys.stderr)
        return 1
    print(f"layer {'copied from the cache' if cached else 'built'}: {argv[1]} ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
