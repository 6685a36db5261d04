"""modules/layer's build reads the runner's pip configuration (a company's index, find-links, certificate,
pip.conf), lets build.index_url win over it, and still installs a lock --require-hashes. The index here exists only
on this machine: a PEP 503 folder of one hand-made wheel, reached through file:// URLs."""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

import pytest

from ..scripts import load

build_layer = load("layer", "build_layer.py")
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
WHEEL = "tinypkg-1.0-py3-none-any.whl"


def make_wheel(path: Path, marker: str) -> str:
    """A pure-Python wheel of ``tinypkg`` 1.0 whose module holds ``marker``; returns its sha256."""
    files = {
        "tinypkg/__init__.py": f"MARKER = {marker!r}\n",
        "tinypkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }

    def digest(text: str) -> str:
        raw = hashlib.sha256(text.encode()).digest()
        return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    record = "".join(f"{name},{digest(text)},{len(text.encode())}\n" for name, text in files.items())
    files["tinypkg-1.0.dist-info/RECORD"] = record + "tinypkg-1.0.dist-info/RECORD,,\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def index(root: Path, marker: str) -> tuple[str, str]:
    """A simple index at ``root`` serving one tinypkg wheel: (its URL, the wheel's sha256)."""
    sha = make_wheel(root / "simple" / "tinypkg" / WHEEL, marker)
    (root / "simple" / "tinypkg" / "index.html").write_text(f'<a href="{WHEEL}#sha256={sha}">{WHEEL}</a>\n')
    (root / "simple" / "index.html").write_text('<a href="tinypkg/">tinypkg</a>\n')
    return (root / "simple").as_uri(), sha


def built(tmp_path: Path, requirements: Path, index_url: str | None = None) -> str:
    """Build the layer for this machine; the marker of the tinypkg it holds."""
    out = tmp_path / "layer.zip"
    build_layer.build([requirements], out, RUNTIME, "x86_64", "host", 0, None, index_url)
    with zipfile.ZipFile(out) as archive:
        return archive.read("python/tinypkg/__init__.py").decode().split("'")[1]


@pytest.fixture
def company(tmp_path, monkeypatch):
    """The runner's company index (the only one it reaches), and a lock of its wheel."""
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")  # no pip.conf of this machine's
    url, sha = index(tmp_path / "company", "company")
    lock = tmp_path / "requirements.lock"
    lock.write_text(f"tinypkg==1.0 --hash=sha256:{sha}\n")
    return url, lock


def test_the_runners_index_is_read(company, tmp_path, monkeypatch):
    url, lock = company
    monkeypatch.setenv("PIP_INDEX_URL", url)
    assert built(tmp_path, lock) == "company"
    command = build_layer.pip_command([lock], tmp_path, RUNTIME, "x86_64", "host")
    assert "--isolated" not in command and "--index-url" not in command and "--require-hashes" in command


def test_pip_conf_and_find_links_are_read(company, tmp_path, monkeypatch):
    url, lock = company
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nindex-url = {url}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    assert built(tmp_path, lock) == "company", "pip.conf's index"
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "company" / "simple" / "tinypkg"))
    assert built(tmp_path, lock) == "company", "a find-links folder, no index at all"


def test_build_index_url_wins_over_the_runners(company, tmp_path, monkeypatch):
    url, lock = company
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())
    assert built(tmp_path, lock, index_url=url) == "company"


def test_the_lock_still_decides_which_wheel_is_installed(company, tmp_path, monkeypatch):
    """An index serving other bytes under the same name and version (a poisoned mirror) fails the build."""
    _, lock = company
    poisoned, _ = index(tmp_path / "mirror", "poisoned")
    monkeypatch.setenv("PIP_INDEX_URL", poisoned)
    with pytest.raises(build_layer.BuildError, match="does not match the hash in the lock file"):
        built(tmp_path, lock)


def test_a_developers_pip_settings_do_not_break_the_target_install(company, tmp_path, monkeypatch):
    url, lock = company
    monkeypatch.setenv("PIP_REQUIRE_VIRTUALENV", "1")
    monkeypatch.setenv("PIP_USER", "1")
    assert built(tmp_path, lock, index_url=url) == "company"
