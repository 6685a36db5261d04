"""An environment's ``/tmp``, limited to the function's ``ephemeral_storage`` as on Lambda.

Where localaws may mount file systems (root, with loop devices), each environment gets a file system of its own:
a sparse ext4 image that holds ``ephemeral_storage`` MB, mounted over its ``/tmp`` directory. A write beyond it
fails with ``ENOSPC`` ("No space left on device"), as on Lambda. Its pages are ordinary page cache, so, as on
Lambda, what ``/tmp`` holds is not counted as the function's memory (a tmpfs would be, and would end a function
that writes a big file in ``Runtime.OutOfMemory``). Making one takes about 25 ms, part of a cold start.

Where it may not, ``/tmp`` is a plain directory and its size is not enforced; localaws says so once.

The function sees it **at ``/tmp``**, as on Lambda, where localaws may make mount namespaces (root): the runtime
process gets a namespace of its own in which the environment's directory is bind-mounted over ``/tmp``, so code
that writes ``/tmp/...`` literally writes there, never to the host's ``/tmp``. That needs the function's code and
localaws's own files outside ``/tmp`` (the default work directory is under ``/var/tmp``). Elsewhere ``TMPDIR``
names the directory (``tempfile`` honours it; a literal ``/tmp`` is the host's), and localaws says so once.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

log = logging.getLogger("localaws")

_checked: dict[str, bool] = {}
_lock = threading.Lock()
_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 0x1000, 0x4000, 0x40000


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _mount(image: Path, mount_point: Path, size_mb: int) -> str | None:
    """A fresh ext4 file system of ``size_mb`` in the sparse file ``image``, mounted at ``mount_point``, empty;
    or why not."""
    with open(image, "wb") as sparse:  # ext4 keeps about 2% for itself: what the function sees is size_mb
        sparse.truncate((size_mb + size_mb // 50 + 4) * 1024 * 1024)
    made = _run("mkfs.ext4", "-q", "-F", "-O", "^has_journal", "-m", "0", "-E", "root_owner=0:0", str(image))
    if made.returncode != 0:
        image.unlink()
        return made.stderr.strip()
    mounted = _run("mount", "-o", "loop,nosuid,nodev", str(image), str(mount_point))
    if mounted.returncode != 0:
        image.unlink()
        return mounted.stderr.strip()
    (mount_point / "lost+found").rmdir()  # ext4's own; Lambda's /tmp starts empty
    mount_point.chmod(0o1777)
    return None


def _unmount(mount_point: Path) -> None:
    detached = _run("umount", "--lazy", "--detach-loop", str(mount_point))
    if detached.returncode != 0:
        log.warning("localaws: could not unmount %s: %s", mount_point, detached.stderr.strip())


class TmpDisk:
    """``path``: the directory the environment sees as ``/tmp``; ``limited``: its size is enforced."""

    def __init__(self, home: Path, size_mb: int) -> None:
        self.home = home
        self.path = home / "tmp"
        self.path.mkdir(parents=True)
        self.size_mb = size_mb
        self.limited = False
        if mountable():
            why = _mount(home / "disk.img", self.path, size_mb)
            self.limited = why is None
            if why:
                log.warning("localaws: this /tmp is not limited (%s)", why)

    def remove(self) -> None:
        if self.limited:
            _unmount(self.path)
        shutil.rmtree(self.home, ignore_errors=True)


def mountable() -> bool:
    """This machine lets localaws mount a loop file system (tried once; said once)."""
    with _lock:
        if "loop" not in _checked:
            missing = [tool for tool in ("mkfs.ext4", "mount", "umount") if shutil.which(tool) is None]
            why = f"missing {', '.join(missing)}" if missing else None
            if not missing:
                with tempfile.TemporaryDirectory(prefix="localaws-probe-") as probe:
                    point = Path(probe) / "tmp"
                    point.mkdir()
                    why = _mount(Path(probe) / "disk.img", point, 2)
                    if why is None:
                        _unmount(point)
            if why is None:
                log.info("localaws: /tmp is limited to each function's ephemeral_storage (ext4 on a loop device)")
            else:
                log.warning("localaws: /tmp is not limited to ephemeral_storage here (%s)", why)
            _checked["loop"] = why is None
        return _checked["loop"]


def enter_at_tmp(directory: bytes) -> None:
    """Give the calling process a mount namespace of its own in which ``directory`` is ``/tmp``. Runs in the child
    between fork and exec (``preexec_fn``): no imports, no logging, no locks."""
    if (
        _libc.unshare(CLONE_NEWNS) != 0
        or _libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0
        or _libc.mount(directory, b"/tmp", None, MS_BIND, None) != 0
    ):
        raise OSError(ctypes.get_errno(), "cannot make the environment's directory its /tmp")


def under_tmp(path: Path) -> bool:
    return path.resolve().is_relative_to(Path("/tmp").resolve())


def at_tmp(work_dir: Path) -> bool:
    """Functions here can see their /tmp at ``/tmp`` (a mount namespace each); checked once per work directory,
    said once if not."""
    key = f"namespace:{work_dir}"
    with _lock:
        if key not in _checked:
            # what a runtime process reads from outside its work directory: the interpreter and its standard library
            needed = (work_dir, Path(sys.base_prefix), Path(os.path.realpath(sys.executable)))
            hidden = [p for p in needed if under_tmp(p)]
            why = f"{hidden[0]} is under /tmp, which the function's /tmp would hide" if hidden else None
            if why is None:
                probe = tempfile.mkdtemp(dir=work_dir, prefix=".probe-")
                try:
                    subprocess.run(["true"], preexec_fn=lambda: enter_at_tmp(os.fsencode(probe)), check=True)
                except (OSError, subprocess.SubprocessError) as exc:
                    why = f"no mount namespace: {exc}"
                finally:
                    os.rmdir(probe)
            if why is None:
                log.info("localaws: functions see their own /tmp at /tmp (a mount namespace each)")
            else:
                log.warning("localaws: functions find their /tmp in TMPDIR, not at /tmp (%s)", why)
            _checked[key] = why is None
        return _checked[key]
