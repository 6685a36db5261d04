"""`make release`: the function ZIP and a layer ZIP for every runtime, architecture and set of optional formats the
module admits, built into ``dist/`` by the module's own build scripts, with ``SHA256SUMS``, ``manifest.json`` and
the release notes; a full build also writes the digests the module pins (``release/artifacts.json``).

The matrix is generated, not listed: the runtimes are those ``modules/layer/build_layer.py`` knows (what the
module's ``runtime`` admits), the optional formats are those ``layer/`` has a file for (``requirements-<f>.txt``
adds packages, ``exclude-<f>.txt`` names files kept only with the format), and each layer is composed as the root
module composes it for a local build, so a local build and the released ZIP are the same bytes.

    python -m devkit.release build [--only NAME ...] [--dist DIR] [--index-url URL]
    python -m devkit.release pin [--index-url URL]    # make pin: the function ZIP, and only the stale layers
    python -m devkit.release publish --bucket BUCKET [--prefix PREFIX] [--dist DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import platform
import re
import shlex
import subprocess
import sys
import time
import zipfile
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layer"
PINS = ROOT / "release" / "artifacts.json"
DIST = ROOT / "dist"
FUNCTION_DIR = ROOT / "function"
FUNCTION_MODULE = ROOT / "modules" / "function"
LAYER_MODULE = ROOT / "modules" / "layer"
sys.path.insert(0, str(LAYER_MODULE))
sys.path.insert(0, str(FUNCTION_MODULE))
import build_function  # noqa: E402  (the module's scripts: the same code builds locally and for the release)
import build_layer  # noqa: E402

FUNCTION = "thumbnails-function.zip"
# Amazon Linux 2's glibc (2.26) cannot load the pinned Pillow's wheels: those runtimes get their own base lock.
AMAZON_LINUX_2 = LAYER / "amazon-linux-2"
REGENERATE = "make release"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def base64_digest(hex_digest: str) -> str:
    """The SHA-256 as S3 reports it (ChecksumSHA256) and Terraform's filebase64sha256 gives it."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


# --- the matrix ------------------------------------------------------------------------------------------------


def formats() -> list[str]:
    """The optional formats, from the layer's files (not from a list here): a new requirements-<f>.txt or
    exclude-<f>.txt is a new format."""
    found = {p.stem.removeprefix("requirements-") for p in LAYER.glob("requirements-*.txt")}
    found |= {p.stem.removeprefix("exclude-") for p in LAYER.glob("exclude-*.txt")}
    return sorted(found)


def base_lock(runtime: str) -> Path:
    """The lock a runtime's layer starts from: Amazon Linux 2's for python3.10/3.11, the default otherwise."""
    if build_layer.RUNTIME_GLIBC[runtime] < 27:
        return AMAZON_LINUX_2 / "requirements.lock"
    return LAYER / "requirements.lock"


@dataclass(frozen=True)
class Layer:
    runtime: str
    architecture: str
    formats: tuple[str, ...]

    @property
    def name(self) -> str:
        return "-".join(("thumbnails-layer", self.runtime, self.architecture, *self.formats)) + ".zip"

    @property
    def requirements(self) -> list[Path]:
        extra = [LAYER / f"requirements-{f}.lock" for f in self.formats]
        return [base_lock(self.runtime), *(p for p in extra if p.is_file())]

    @property
    def exclude(self) -> list[Path]:
        extra = [LAYER / f"exclude-{f}.txt" for f in formats() if f not in self.formats]
        return [LAYER / "exclude.txt", *(p for p in extra if p.is_file())]


def matrix() -> list[Layer]:
    options = formats()
    subsets = [c for n in range(len(options) + 1) for c in itertools.combinations(options, n)]
    return [
        Layer(runtime, architecture, subset)
        for runtime in build_layer.RUNTIME_GLIBC
        for architecture in build_layer.MACHINE
        for subset in subsets
    ]


def names() -> list[str]:
    return [FUNCTION, *(layer.name for layer in matrix())]


# --- the function ZIP ----------------------------------------------------------------------------------------


def function_exclude() -> re.Pattern[str]:
    """The pattern of what the function ZIP leaves out, read from modules/function/main.tf (``package_exclude``),
    where Terraform chooses the files of a local build: one rule for both."""
    text = (FUNCTION_MODULE / "main.tf").read_text()
    found = re.search(r'^\s*package_exclude\s*=\s*"((?:[^"\\]|\\.)*)"', text, re.M)
    if found is None:
        raise SystemExit("modules/function/main.tf has no package_exclude local")
    return re.compile(re.sub(r"\\(.)", r"\1", found[1]))


def function_files(source_dir: Path = FUNCTION_DIR) -> list[str]:
    """What Terraform's fileset(source_dir, "**") gives, less package_exclude: the files a local build packages."""
    exclude = function_exclude()
    every = (p.relative_to(source_dir).as_posix() for p in source_dir.rglob("*") if p.is_file())
    return sorted(f for f in every if not exclude.search(f))


def build_function_zip(output: Path, source_dir: Path = FUNCTION_DIR) -> int:
    return build_function.write_zip(source_dir, function_files(source_dir), output)


# --- building ------------------------------------------------------------------------------------------------


@dataclass
class Artifact:
    file: str
    kind: str
    size: int
    sha256: str
    seconds: float
    runtime: str | None = None
    architecture: str | None = None
    formats: list[str] = field(default_factory=list)
    packages: dict[str, str] = field(default_factory=dict)  # what the layer carries, read from the ZIP


def packages(zip_path: Path) -> dict[str, str]:
    """name -> version of every distribution in a layer ZIP, from its .dist-info directories."""
    found = {}
    with zipfile.ZipFile(zip_path) as archive:
        for entry in archive.namelist():
            m = re.match(r"python/([^/]+)-([^-/]+)\.dist-info/METADATA$", entry)
            if m:
                found[m[1].lower().replace("_", "-")] = m[2]
    return dict(sorted(found.items()))


def inputs() -> dict[str, str]:
    """The files a layer's bytes follow from, with their digests: a change to one makes the pinned layer digests
    stale (the drift check says so without building 40 layers)."""
    files = sorted(
        [*LAYER.rglob("*.lock"), *LAYER.glob("exclude*.txt"), LAYER_MODULE / "build_layer.py"],
        key=lambda p: p.relative_to(ROOT).as_posix(),
    )
    return {p.relative_to(ROOT).as_posix(): sha256(p.read_bytes()) for p in files}


def selected(name: str, only: list[str]) -> bool:
    return not only or any(fnmatch(name, pattern) for pattern in only)


# Layers built before, by content (modules/layer/build_layer.py's cache): `make release` and `make pin` rebuild
# only a layer whose inputs changed. A fresh copy's rebuild (the tests' `rebuilt`) has an empty cache of its own.
LAYER_CACHE = ROOT / "build" / "layer-cache"


def build(
    dist: Path, only: list[str], index_url: str, log=print, cache: Path | None = LAYER_CACHE
) -> tuple[list[Artifact], dict[str, str]]:
    """Build what ``only`` selects (everything when empty) into ``dist``; returns the artifacts built and the
    layers no wheel exists for (name -> why)."""
    dist.mkdir(parents=True, exist_ok=True)
    built: list[Artifact] = []
    unavailable: dict[str, str] = {}
    if selected(FUNCTION, only):
        start = time.monotonic()
        size = build_function_zip(dist / FUNCTION)
        built.append(Artifact(FUNCTION, "function", size, sha256((dist / FUNCTION).read_bytes()), elapsed(start)))
        log(f"{FUNCTION}: {size} bytes")
    for layer in matrix():
        if not selected(layer.name, only):
            continue
        start = time.monotonic()
        output = dist / layer.name
        try:
            size, _ = build_layer.build_cached(
                layer.requirements, output, layer.runtime, layer.architecture, "lambda", 0, layer.exclude, index_url,
                cache,
            )  # fmt: skip
        except build_layer.BuildError as exc:
            if "No binary wheel" not in str(exc):
                raise
            unavailable[layer.name] = str(exc).split("\n", 1)[0].split(". The layer is built", 1)[0] + "."
            log(f"{layer.name}: none ({unavailable[layer.name]})")
            continue
        digest = sha256(output.read_bytes())
        artifact = Artifact(
            layer.name, "layer", size, digest, elapsed(start), layer.runtime, layer.architecture,
            list(layer.formats), packages(output),
        )  # fmt: skip
        built.append(artifact)
        log(f"{layer.name}: {size} bytes in {artifact.seconds:.1f} s (pillow {artifact.packages.get('pillow')})")
    return built, unavailable


def elapsed(start: float) -> float:
    return round(time.monotonic() - start, 1)


# --- what a build writes -------------------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()


def version() -> str:
    """The version being released: the topmost versioned heading of CHANGELOG.md."""
    found = re.search(r"^## .*?(\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    return found[1] if found else "0.0.0"


def write_dist(dist: Path, built: list[Artifact], unavailable: dict[str, str]) -> dict:
    """SHA256SUMS (the sha256sum format), manifest.json and RELEASE-NOTES.md, for what was built."""
    # Uncommitted changes to what the files are built from (release/artifacts.json is this build's output).
    dirty = git("status", "--porcelain", "--", "function", "layer", "modules", "devkit/release.py")
    manifest: dict[str, Any] = {
        "version": version(),
        "commit": git("rev-parse", "HEAD") or None,
        "dirty": bool(dirty),
        "built_with": {"python": platform.python_version(), "pip": pip_version()},
        "inputs": inputs(),
        "artifacts": [asdict(a) for a in sorted(built, key=lambda a: a.file)],
        "unavailable": dict(sorted(unavailable.items())),
    }
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (dist / "SHA256SUMS").write_text("".join(f"{a['sha256']}  {a['file']}\n" for a in manifest["artifacts"]))
    (dist / "RELEASE-NOTES.md").write_text(release_notes(manifest))
    return manifest


def pip_version() -> str:
    done = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.split()[1] if done.returncode == 0 else "unknown"


def release_notes(manifest: dict) -> str:
    lines = [
        f"# terraform-aws-s3-thumbnails {manifest['version']}",
        "",
        f"Built from commit {manifest['commit']}{' (with uncommitted changes)' if manifest['dirty'] else ''} "
        "by `make release`; `sha256sum -c SHA256SUMS` checks the files, and the module pins the same digests "
        "(release/artifacts.json).",
        "",
        "| file | runtime | architecture | formats | Pillow | size (bytes) | sha256 |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in manifest["artifacts"]:
        formats_ = ", ".join(a["formats"]) or "-"
        pillow = a["packages"].get("pillow", "-")
        lines.append(
            f"| {a['file']} | {a['runtime'] or '-'} | {a['architecture'] or '-'} | {formats_} | {pillow} "
            f"| {a['size']} | `{a['sha256']}` |"
        )
    lines += [
        "",
        'Video posters (`extra_formats = ["video"]`) are in none of these layers: the module builds their layer (PyAV, '
        "whose FFmpeg includes x264 and x265) on the runner, and that layer is GPL-2.0-or-later (docs/previews.md).",
    ]
    if manifest["unavailable"]:
        lines += ["", "Not released (no wheel runs there):", ""]
        lines += [f"- {name}: {why}" for name, why in manifest["unavailable"].items()]
    return "\n".join(lines) + "\n"


def pins_from(manifest: dict) -> dict:
    """release/artifacts.json: what the module reads to choose and verify an artifact (generated, never edited)."""
    return {
        "generated": f"by `{REGENERATE}` from dist/manifest.json: do not edit",
        "version": manifest["version"],
        "inputs": manifest["inputs"],
        "artifacts": {
            a["file"]: {
                "kind": a["kind"],
                "runtime": a["runtime"],
                "architecture": a["architecture"],
                "formats": a["formats"],
                "pillow": a["packages"].get("pillow"),
                "size": a["size"],
                "sha256": a["sha256"],
                "sha256_base64": base64_digest(a["sha256"]),
            }
            for a in manifest["artifacts"]
        },
        "unavailable": manifest["unavailable"],
    }


def stale_layers(pins: dict) -> list[Layer]:
    """The layers whose pins no longer hold: new in the matrix, or built from an input file that changed since."""
    current = inputs()
    changed = {name for name in {*current, *pins["inputs"]} if current.get(name) != pins["inputs"].get(name)}
    known = {*pins["artifacts"], *pins["unavailable"]}

    def files(layer: Layer) -> set[str]:
        used = [*layer.requirements, *layer.exclude, LAYER_MODULE / "build_layer.py"]
        return {p.relative_to(ROOT).as_posix() for p in used}

    return [layer for layer in matrix() if layer.name not in known or files(layer) & changed]


def pin(index_url: str, dist: Path) -> int:
    """`make pin`: the function ZIP built and pinned (seconds), the layers rebuilt only where their inputs changed
    (through the layer cache); every other pin is kept as it is. `make release` still builds everything."""
    pins = read_pins()
    stale = stale_layers(pins)
    built, unavailable = build(dist, [FUNCTION, *(layer.name for layer in stale)], index_url)
    rebuilt = {artifact.file for artifact in built} | set(unavailable)
    fresh = pins_from(
        {"version": version(), "inputs": inputs(), "unavailable": {}, "artifacts": [asdict(a) for a in built]}
    )
    kept = {name: pin for name, pin in pins["artifacts"].items() if name not in rebuilt}
    artifacts = {**kept, **fresh["artifacts"]}
    gone = {name: why for name, why in pins["unavailable"].items() if name not in rebuilt} | unavailable
    everything = set(names())  # a layer that left the matrix leaves the pins
    fresh["artifacts"] = {name: artifacts[name] for name in sorted(artifacts) if name in everything}
    fresh["unavailable"] = {name: gone[name] for name in sorted(gone) if name in everything}
    PINS.write_text(json.dumps(fresh, indent=2) + "\n")
    print(
        f"pinned {FUNCTION} and {len(stale)} stale layer(s) of {len(matrix())} "
        f"({', '.join(layer.name for layer in stale) or 'none'}); wrote {PINS}"
    )
    return 0


def read_pins() -> dict:
    return json.loads(PINS.read_text())


def compare_with_pins(built: list[Artifact]) -> list[str]:
    """What a partial build found different from the pins."""
    pinned = read_pins()["artifacts"]
    return [
        f"{a.file}: built {a.sha256}, pinned {pinned.get(a.file, {}).get('sha256')}"
        for a in built
        if pinned.get(a.file, {}).get("sha256") != a.sha256
    ]


def record_figures(built: list[Artifact]) -> None:
    """Each layer's size and build time, and the whole build's, into docs/figures.json and docs/release.md."""
    from devkit import figures

    layers = [a for a in built if a.kind == "layer"]
    rows = ["| layer | Pillow | size (MB) | build (s) |", "|---|---|---|---|"]
    rows += [f"| {a.file} | {a.packages.get('pillow')} | {a.size / 1e6:.2f} | {a.seconds:.1f} |" for a in layers]
    value = json.dumps({a.file: {"bytes": a.size, "seconds": a.seconds} for a in layers}, sort_keys=True)
    figures.record("release.layers", value, "bytes, seconds", "\n" + "\n".join(rows) + "\n", REGENERATE, timing=True)
    total = sum(a.seconds for a in built)
    figures.record("release.seconds", round(total), "s", f"{total / 60:.0f} minutes", REGENERATE, timing=True)


# --- publishing ----------------------------------------------------------------------------------------------


def upload_command(path: Path, bucket: str, key: str, sha256_base64: str) -> list[str]:
    """One PutObject with S3's SHA-256 checksum of the whole object: S3 checks the bytes against it on arrival and
    reports it (HeadObject with ChecksumMode), which the module compares with its pin at plan. ``aws s3 cp``
    would split a file above 8 MB into parts, whose checksum is a checksum of the parts' checksums."""
    return [
        "aws", "s3api", "put-object", "--bucket", bucket, "--key", key, "--body", str(path),
        "--checksum-algorithm", "SHA256", "--checksum-sha256", sha256_base64,
    ]  # fmt: skip


def object_key(prefix: str, name: str) -> str:
    return f"{prefix.strip('/')}/{name}" if prefix.strip("/") else name


def publish(dist: Path, bucket: str, prefix: str, dry_run: bool, extra: list[str]) -> int:
    manifest = json.loads((dist / "manifest.json").read_text())
    if manifest["dirty"] and not dry_run:
        print("dist/ was built from uncommitted changes: commit, run `make release`, then publish.", file=sys.stderr)
        return 1
    for artifact in manifest["artifacts"]:
        path = dist / artifact["file"]
        if sha256(path.read_bytes()) != artifact["sha256"]:
            print(f"{path} differs from dist/manifest.json: run `make release` again.", file=sys.stderr)
            return 1
        command = [
            *upload_command(path, bucket, object_key(prefix, artifact["file"]), base64_digest(artifact["sha256"])),
            *extra,
        ]
        print(shlex.join(command))
        if not dry_run:
            subprocess.run(
                [*command, "--output", "text", "--query", "ChecksumSHA256"], check=True, stdout=subprocess.DEVNULL
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build into dist/ (everything, or the --only files)")
    build_parser.add_argument("--only", nargs="*", default=[], help="file names or patterns to build")
    build_parser.add_argument("--dist", type=Path, default=DIST)
    build_parser.add_argument("--index-url", default=build_layer.DEFAULT_INDEX)
    pin_parser = commands.add_parser("pin", help="pin the function ZIP, and rebuild only the stale layers")
    pin_parser.add_argument("--dist", type=Path, default=ROOT / "build" / "pin")
    pin_parser.add_argument("--index-url", default=build_layer.DEFAULT_INDEX)
    publish_parser = commands.add_parser("publish", help="upload dist/ with S3's SHA-256 checksums")
    publish_parser.add_argument("--bucket", required=True)
    publish_parser.add_argument("--prefix", default="")
    publish_parser.add_argument("--dist", type=Path, default=DIST)
    publish_parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    publish_parser.add_argument("--endpoint-url", help="passed to the AWS CLI (a local endpoint)")
    args = parser.parse_args(argv)
    if args.command == "pin":
        return pin(args.index_url, args.dist)
    if args.command == "publish":
        extra = ["--endpoint-url", args.endpoint_url] if args.endpoint_url else []
        return publish(args.dist, args.bucket, args.prefix, args.dry_run, extra)
    built, unavailable = build(args.dist, args.only, args.index_url)
    manifest = write_dist(args.dist, built, unavailable)
    if args.only:
        drift = compare_with_pins(built)
        for line in drift:
            print(f"differs from release/artifacts.json: {line}", file=sys.stderr)
        return 1 if drift else 0
    PINS.parent.mkdir(exist_ok=True)
    PINS.write_text(json.dumps(pins_from(manifest), indent=2) + "\n")
    record_figures(built)
    print(f"wrote {args.dist}/SHA256SUMS, manifest.json, RELEASE-NOTES.md and {PINS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
