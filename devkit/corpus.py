"""Real-world pictures nobody on this project made: the test images of Pillow's own source distribution.

``pillow_test_images()`` fetches the sdist of the Pillow installed here (through pip, so through whatever index
the machine uses) once into ``build/corpus/``, unpacks its ``Tests/images`` and returns that folder. About 1,100
files: every format and mode Pillow reads, real camera and phone files, and the broken, truncated and hostile ones
its own tests refuse. Nothing of it is committed.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tarfile
from pathlib import Path

import PIL

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "build" / "corpus"


def pillow_test_images() -> Path:
    """``Tests/images`` of this Pillow's sdist; safe to call from several test workers at once."""
    version = PIL.__version__
    target = CORPUS / f"pillow-{version}"
    done = target / ".complete"
    CORPUS.mkdir(parents=True, exist_ok=True)
    with open(CORPUS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker fetches, the others wait for it
        if not done.exists():
            archive = _download(version)
            _extract(archive, target)
            done.touch()
    return target / "Tests" / "images"


def _download(version: str) -> Path:
    archive = CORPUS / f"pillow-{version}.tar.gz"
    if archive.exists():
        return archive
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
    done = subprocess.run(
        [*command, "--dest", str(CORPUS), f"pillow=={version}"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not archive.exists():
        raise RuntimeError(
            f"could not fetch Pillow {version}'s source distribution for its test images (pip download):\n"
            f"{done.stdout}{done.stderr}"
        )
    return archive


def _extract(archive: Path, target: Path) -> None:
    prefix = f"pillow-{PIL.__version__}/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(prefix + "Tests/images/")]
        for member in members:
            member.name = member.name.removeprefix(prefix)
        tar.extractall(target, members=members, filter="data")


def pillow_heif_test_image(relative: str) -> Path:
    """One file of the test images in the source distribution of the pillow-heif installed here (for example
    ``<sdist>/tests/images/heif_special/invalid_metadata_type.heic``, which crashes pi-heif 1.4.0): fetched through
    pip once into ``build/corpus/``, never committed."""
    from importlib.metadata import version as installed

    version = installed("pillow-heif")
    target = CORPUS / f"pillow-heif-{version}" / relative
    CORPUS.mkdir(parents=True, exist_ok=True)
    with open(CORPUS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            archive = _fetch_sdist("pillow-heif", version, f"pillow_heif-{version}.tar.gz")
            with tarfile.open(archive) as tar:
                member = tar.getmember(f"pillow_heif-{version}/{relative}")
                source = tar.extractfile(member)
                assert source is not None, f"{relative} is not a file in {archive.name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
    return target


def _fetch_sdist(project: str, version: str, filename: str) -> Path:
    archive = CORPUS / filename
    if archive.exists():
        return archive
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
    done = subprocess.run(
        [*command, "--dest", str(CORPUS), f"{project}=={version}"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not archive.exists():
        raise RuntimeError(
            f"could not fetch {project} {version}'s source distribution for its test images (pip download):\n"
            f"{done.stdout}{done.stderr}"
        )
    return archive


# Real PDFs nobody on this project made: the test documents of pypdfium2's source distribution (the version the
# function's layer pins) and pypdf's (its ``resources/``: forms, scans, CAD drawings, encrypted files, broken ones).
PYPDF_CORPUS = "7.1.1"


def pdf_test_documents() -> list[Path]:
    """Every ``.pdf`` of pypdfium2's ``tests/resources`` and pypdf's ``resources`` (about 90), fetched through pip
    once into ``build/corpus/``, never committed; safe to call from several test workers at once."""
    from importlib.metadata import version as installed

    sources = (
        ("pypdfium2", installed("pypdfium2"), "pypdfium2-{v}.tar.gz", "pypdfium2-{v}/tests/resources/"),
        ("pypdf", PYPDF_CORPUS, "pypdf-{v}.tar.gz", "pypdf-{v}/resources/"),
    )
    found: list[Path] = []
    CORPUS.mkdir(parents=True, exist_ok=True)
    for project, version, filename, folder in sources:
        target = CORPUS / f"{project}-{version}-pdfs"
        done = target / ".complete"
        with open(CORPUS / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not done.exists():
                archive = _fetch_sdist(project, version, filename.format(v=version))
                prefix = folder.format(v=version)
                with tarfile.open(archive) as tar:
                    members = [
                        m for m in tar.getmembers()
                        if m.isfile() and m.name.startswith(prefix) and m.name.lower().endswith(".pdf")
                    ]  # fmt: skip
                    for member in members:
                        member.name = member.name.removeprefix(prefix)
                    tar.extractall(target, members=members, filter="data")
                done.touch()
        found += sorted(p for p in target.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    return found
