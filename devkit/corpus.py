"""Real-world pictures nobody on this project made: the test images of Pillow's own source distribution.

``pillow_test_images()`` fetches the sdist of the Pillow installed here (through pip, so through whatever index
the machine uses) once into ``build/corpus/``, unpacks its ``Tests/images`` and returns that folder. About 1,100
files: every format and mode Pillow reads, real camera and phone files, and the broken, truncated and hostile ones
its own tests refuse. Nothing of it is committed.
"""

from __future__ import annotations

import fcntl
import io
import os
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
    """Every ``.pdf`` of pypdfium2's test resources and pypdf's ``resources`` folder (about 90), fetched through pip
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


# Real videos nobody on this project made, one container at least each: MP4 (pymediainfo's and filetype's test
# files), MOV (filetype's), WebM (the GNOME help's figures, Debian's gnome-user-docs), and a Matroska file, which
# is not one of the three and must be refused.
VIDEO_SDISTS = (
    ("pymediainfo", "7.0.1", "pymediainfo-{v}.tar.gz", "pymediainfo-{v}/tests/data/"),
    ("filetype", "1.2.0", "filetype-{v}.tar.gz", "filetype-{v}/tests/fixtures/"),
)
VIDEO_DEB = "gnome-user-docs"
_VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv")


def video_test_files() -> list[Path]:
    """The videos of ``VIDEO_SDISTS`` (through pip) and the WebM figures of ``VIDEO_DEB`` (through apt-get download),
    fetched once into ``build/corpus/``, never committed."""
    found: list[Path] = []
    CORPUS.mkdir(parents=True, exist_ok=True)
    with open(CORPUS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for project, version, filename, folder in VIDEO_SDISTS:
            target = CORPUS / f"{project}-{version}-videos"
            if not (target / ".complete").exists():
                archive = _fetch_sdist(project, version, filename.format(v=version))
                prefix = folder.format(v=version)
                with tarfile.open(archive) as tar:
                    members = [
                        m for m in tar.getmembers()
                        if m.isfile() and m.name.startswith(prefix) and m.name.lower().endswith(_VIDEO_SUFFIXES)
                    ]  # fmt: skip
                    for member in members:
                        member.name = member.name.removeprefix(prefix)
                    tar.extractall(target, members=members, filter="data")
                (target / ".complete").touch()
            found += sorted(p for p in target.rglob("*") if p.suffix.lower() in _VIDEO_SUFFIXES)
        target = CORPUS / f"{VIDEO_DEB}-videos"
        if not (target / ".complete").exists():
            _extract_deb_files(VIDEO_DEB, "./usr/share/help/C/", _VIDEO_SUFFIXES, target)
            (target / ".complete").touch()
        found += sorted(p for p in target.rglob("*") if p.suffix.lower() in _VIDEO_SUFFIXES)
    return found


def _extract_deb_files(package: str, under: str, suffixes: tuple[str, ...], target: Path) -> None:
    """The regular files under ``under`` ending in ``suffixes`` of Debian's ``package`` (apt-get download)."""
    work = CORPUS / "debs"
    work.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["apt-get", "download", package], cwd=work, capture_output=True, text=True, check=False)
    if done.returncode != 0 and os.geteuid() == 0:  # a machine whose package lists were never fetched
        subprocess.run(["apt-get", "-q", "update"], capture_output=True, check=False)
        done = subprocess.run(["apt-get", "download", package], cwd=work, capture_output=True, text=True, check=False)
    debs = sorted(work.glob(f"{package}_*.deb"))
    if done.returncode != 0 or not debs:
        raise RuntimeError(
            f"could not fetch Debian's {package} for its test videos (apt-get download; run apt-get update once "
            f"first):\n{done.stdout}{done.stderr}"
        )
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(debs[-1])], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(under) and m.name.endswith(suffixes)]
        for member in members:
            member.name = Path(member.name).name
        tar.extractall(target, members=members, filter="data")
