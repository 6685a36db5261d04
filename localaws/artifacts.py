"""What a function runs: its code, its layers and the runtime's own packages, laid out as Lambda lays them out.

- the deployed ZIP is extracted to a task directory (``/var/task``), the layers **in order** into an ``/opt``
  stand-in (a file in a later layer wins), both cached by content under the work directory;
- the runtime's packages (``/var/runtime``: AWS's runtime interface client, boto3 and what they need, and
  bootstrap.py) are linked from localaws's own environment -- or copied as hard links where that environment is
  under ``/tmp``, which an environment's own ``/tmp`` hides;
- hot reload (a development aid): a function named in ``hot_reload`` (a name or a shell pattern such as ``*``)
  runs its code from a local directory instead of its ZIP, so an edit there takes effect on the next invocation
  without a deployment. The directory's fingerprint (every file's path, size and modification time) is part of the
  environment's configuration, so an edit retires the warm environments that ran the old code.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import io
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .tmpdisk import under_tmp

# What the Lambda Python runtime provides besides the standard library: its runtime interface client (awslambdaric,
# its C extension runtime_client and their dependencies), boto3 and what boto3 needs.
RUNTIME_PACKAGES = (
    "awslambdaric",
    "runtime_client",
    "simplejson",
    "snapshot_restore_py",
    "boto3",
    "botocore",
    "jmespath",
    "s3transfer",
    "urllib3",
    "dateutil",
    "six",
)


BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
# The interpreter itself, not a virtualenv's link to it: with -S no site packages are read, and the link may live
# under the /tmp an environment's own /tmp hides.
PYTHON = os.path.realpath(sys.executable)


def _place(source: Path, target: Path) -> None:
    """``target`` showing ``source``: a symbolic link, or -- for a source under /tmp, which an environment's own
    /tmp hides -- a copy made of hard links where the file system allows them."""
    if not under_tmp(source):
        target.symlink_to(source, target_is_directory=source.is_dir())
        return

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    if source.is_dir():
        shutil.copytree(source, target, copy_function=link, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        link(str(source), str(target))


def link_runtime_packages(target: Path) -> Path:
    """``target`` (``/var/runtime``) showing each of RUNTIME_PACKAGES in localaws's environment, and bootstrap.py
    (as Lambda's holds its own)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        if not (target / source.name).exists():
            _place(source, target / source.name)
    if not (target / BOOTSTRAP.name).exists():
        shutil.copy2(BOOTSTRAP, target / BOOTSTRAP.name)
    return target


def fingerprint(directory: Path) -> str:
    """Changes whenever a file under ``directory`` is added, removed or edited (caches excluded)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                stat = os.stat(path)
            except OSError:  # removed while we looked: the next look sees it gone
                continue
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


class Artifacts:
    """Extracted code and layers under ``work_dir``, shared by every environment that runs them."""

    def __init__(self, work_dir: Path, hot_reload: dict[str, Path] | None = None) -> None:
        self.work_dir = work_dir
        self.hot_reload = {name: Path(path).resolve() for name, path in (hot_reload or {}).items()}
        self._lock = threading.Lock()
        self._extracted: dict[tuple[str, ...], Path] = {}  # what was extracted, by code digest or layer ARNs
        self.runtime_dir = link_runtime_packages(work_dir / "runtime")

    def task(self, fn: Any) -> tuple[Path, str]:
        """The function's code directory and a version of it (the hot-reload directory's fingerprint, or the
        ZIP's digest)."""
        local = next((d for name, d in self.hot_reload.items() if fnmatch.fnmatchcase(fn.function_name, name)), None)
        if local is not None:
            return local, "local:" + fingerprint(local)
        path = self._once(("task", fn.function_arn, fn.code_sha_256), lambda: self._extract("task", [fn.code_bytes]))
        return path, path.name

    def opt(self, fn: Any) -> Path:
        """The layers, in order, in one directory (a layer version's ARN names content that never changes)."""
        arns = tuple(layer["Arn"] for layer in fn.layers)
        return self._once(("opt", *arns), lambda: self._extract("opt", self._layers(fn)))

    def _once(self, key: tuple[str, ...], extract: Callable[[], Path]) -> Path:
        """``extract()``'s directory, remembered by ``key``: a warm invocation does not hash megabytes again."""
        with self._lock:
            known = self._extracted.get(key)
        if known is None or not known.is_dir():
            known = extract()
            with self._lock:
                self._extracted[key] = known
        return known

    def _extract(self, kind: str, archives: list[bytes]) -> Path:
        """Extract the archives in order into one directory named by their content; a later file wins."""
        digest = hashlib.sha256(b"".join(hashlib.sha256(a).digest() for a in archives)).hexdigest()[:24]
        target = self.work_dir / kind / digest
        with self._lock:
            if not target.is_dir():
                staging = Path(tempfile.mkdtemp(dir=self.work_dir, prefix=f".{kind}-"))
                for archive in archives:
                    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
                        zf.extractall(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                staging.rename(target)
        return target

    @staticmethod
    def _layers(fn: Any) -> list[bytes]:
        from moto.awslambda.utils import get_backend

        backend = get_backend(fn.account_id, fn.region)
        archives = []
        for layer in fn.layers:
            version = backend.layers_versions_by_arn(layer["Arn"])
            if version is None:
                raise RuntimeError(f"layer {layer['Arn']} does not exist on this endpoint")
            archives.append(version.code_bytes)
        return archives
