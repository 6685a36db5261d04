"""Where an environment's /tmp can be limited and seen at /tmp, and where not: localaws says which (the limit
itself is proven by tests/localaws/test_environment.py)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from localaws import tmpdisk


def test_a_work_directory_under_tmp_leaves_functions_their_tmp_in_tmpdir_and_says_why(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="localaws"):
        assert tmpdisk.at_tmp(tmp_path) is False
    assert f"functions find their /tmp in TMPDIR, not at /tmp ({tmp_path} is under /tmp" in caplog.text


def test_this_machine_limits_tmp_and_shows_it_at_tmp_and_gives_it_back():
    work = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="localaws-test-"))
    try:
        assert tmpdisk.mountable(), "this machine allows loop mounts; if yours does not, say so here"
        assert tmpdisk.at_tmp(work), "this machine allows mount namespaces; if yours does not, say so here"
        disk = tmpdisk.TmpDisk(work / "env", 512)
        assert disk.limited and list(disk.path.iterdir()) == [], "empty, as Lambda's /tmp starts"
        disk.remove()
        assert not (work / "env").exists()
    finally:
        shutil.rmtree(work, ignore_errors=True)
