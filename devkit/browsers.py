"""Debian's headless Chromium and Firefox ESR, one screenshot a run (`make setup` installs both).

Used by tests/browser (both engines) and by `make demo`, which screenshots its gallery with Chromium. Each run has
a profile of its own in a temporary directory, and the screen it draws for is sRGB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

BROWSERS = ("chromium", "firefox")
PROGRAMS = {"chromium": "chromium", "firefox": "firefox-esr"}
RUN_TIMEOUT = 120


def program(browser: str) -> str:
    """The browser's command; a missing one fails with what to run."""
    name = PROGRAMS[browser]
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run `make setup` (devkit/system.py installs it from Debian)")
    return found


def version(browser: str) -> str:
    out = subprocess.run([program(browser), "--version"], capture_output=True, text=True, timeout=60)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "unknown"


def command(browser: str, url: str, size: tuple[int, int], out: Path, scale: int, home: Path) -> list[str]:
    width, height = size
    if browser == "chromium":
        return [
            program(browser),
            "--headless",
            "--no-sandbox",  # as root (CI containers) Chromium refuses to start without it
            "--disable-gpu",
            "--no-first-run",
            "--force-color-profile=srgb",  # the screen it draws for is sRGB, whatever this machine's is
            "--hide-scrollbars",
            f"--force-device-scale-factor={scale}",
            f"--user-data-dir={home / 'profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            url,
        ]
    profile = home / "profile"  # a fresh profile each run: Firefox locks the one it uses
    profile.mkdir()
    (profile / "user.js").write_text(
        f'user_pref("layout.css.devPixelsPerPx", "{scale}");\n'
        'user_pref("browser.shell.checkDefaultBrowser", false);\n'
        'user_pref("datareporting.policy.dataSubmissionEnabled", false);\n'
    )
    return [
        program(browser),
        "--headless",
        "--no-remote",
        "--profile",
        str(profile),
        f"--window-size={width},{height}",
        "--screenshot",
        str(out),
        url,
    ]


def screenshot(browser: str, url: str, size: tuple[int, int], out: Path, scale: int = 1) -> Image.Image:
    """``browser``'s screenshot of ``url`` in a window of ``size`` CSS pixels at ``scale`` device pixels each,
    written to ``out`` and returned (RGB), taken once the page's ``load`` event has fired. Chromium's is ``size``
    times ``scale``; Firefox's headless screenshot is always one pixel a CSS pixel: at ``scale`` 2 it lays the
    page out and chooses sources for two device pixels a CSS pixel, and draws the screenshot at half that."""
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{browser}-") as home:
        env = {**os.environ, "HOME": home}
        run = command(browser, url, size, out, scale, Path(home))
        done = subprocess.run(run, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"{browser} made no screenshot of {url} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    with Image.open(out) as shot:
        return shot.convert("RGB")


def dump_dom(url: str, size: tuple[int, int] = (1280, 800)) -> str:
    """Chromium's DOM of ``url`` once it has loaded, in a window of ``size``, as HTML: what its scripts made of it."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as home:
        run = [program("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        run += [f"--user-data-dir={home}/profile", f"--window-size={size[0]},{size[1]}", "--dump-dom", url]
        done = subprocess.run(
            run, capture_output=True, text=True, timeout=RUN_TIMEOUT, env={**os.environ, "HOME": home}
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium could not load {url} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout
