"""Seeded, mutated JPEG, PNG, WebP and GIF byte strings through the core and the handler: every outcome is
thumbnails or a clean refusal -- no other exception, no hang, nothing left in /tmp."""

from __future__ import annotations

import io
import math
import random
import signal
import time

import pytest
from PIL import Image

from devkit import figures
from thumbnailer.errors import ImageRejected
from thumbnailer.picture.imaging import make_thumbnails

from ..conftest import invoke, s3_event
from ..images import animation, encode, photo

# Pillow warns about what it reads in damaged files; what is checked here is the outcome.
pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]
CASES = 600  # per format, a few seconds
MAX_PIXELS, ANIMATION_MAX_PIXELS = 1_000_000, 2_000_000  # what each case may decode (make_thumbnails' limits)
LIMITS = {"max_pixels": MAX_PIXELS, "animation_max_pixels": ANIMATION_MAX_PIXELS}
SIZES = [48, "24x24"]
# Per case, a bound derived from the work the limits admit, measured on this machine as it is now (a loaded machine
# measures slower and gets a longer bound): the largest honest case, an animation of ANIMATION_MAX_PIXELS, times
# MARGIN. A hang fails instead of blocking the run. The alarm interrupts Python code; the time check catches the rest.
MARGIN = 50


def largest_case_seconds() -> float:
    frames = 20
    side = int((ANIMATION_MAX_PIXELS / frames) ** 0.5)
    data, _ = animation("GIF", frames=frames, size=(side, side))
    started = time.perf_counter()
    make_thumbnails(io.BytesIO(data), SIZES, **LIMITS)
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def seconds() -> int:
    return max(5, math.ceil(MARGIN * largest_case_seconds()))


def seeds() -> dict[str, bytes]:
    picture = photo(96, 64)
    return {
        "JPEG": encode(picture, "JPEG", quality=80, progressive=True),
        "PNG": encode(picture.convert("RGBA"), "PNG"),
        "WEBP": encode(picture, "WEBP", quality=70),
        "GIF": animation("GIF", frames=3, size=(64, 40))[0],
    }


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        at = rng.randrange(len(out)) if out else 0
        if kind < 0.45 and out:  # flip bytes (headers, lengths, sizes among them)
            for i in range(rng.randint(1, 4)):
                out[(at + i) % len(out)] = rng.randrange(256)
        elif kind < 0.6:  # cut short
            del out[rng.randrange(max(1, len(out))) :]
        elif kind < 0.75:  # insert junk
            out[at:at] = rng.randbytes(rng.randint(1, 64))
        elif kind < 0.9 and out:  # repeat a slice (chunks, segments, frames)
            end = min(len(out), at + rng.randint(1, 256))
            out[at:at] = out[at:end]
        else:  # a huge number where a size may be
            out[at : at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff"])
    return bytes(out)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


FUZZED = ["JPEG", "PNG", "WEBP", "GIF"]


def test_the_documents_say_how_many_mutations_run():
    total = CASES * len(FUZZED)
    command = ".venv/bin/python -m pytest tests/function/picture/test_fuzz.py -p no:xdist"
    figures.check("fuzz_mutations", total, "pictures", f"{total:,}", command)


@pytest.mark.parametrize("fmt", FUZZED)
def test_mutated_pictures_become_thumbnails_or_clean_refusals(fmt, seconds):
    rng = random.Random(f"fuzz-{fmt}")
    seed = seeds()[fmt]
    outcomes = {"thumbnails": 0, "refused": 0}
    crashes = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for case in range(CASES):
            data = mutate(seed, rng)
            signal.alarm(seconds)
            started = time.perf_counter()
            try:
                result = make_thumbnails(io.BytesIO(data), SIZES, **LIMITS)
                for thumb in result.thumbnails:
                    with Image.open(io.BytesIO(thumb.data)) as made:
                        assert made.size == (thumb.width, thumb.height)
                outcomes["thumbnails"] += 1
            except ImageRejected:
                outcomes["refused"] += 1
            except Hang:
                crashes.append((case, f"still running after {seconds} s (the largest honest case x {MARGIN})"))
            except Exception as exc:  # anything else is a crash of the record
                crashes.append((case, f"{type(exc).__name__}: {exc}"))
            finally:
                signal.alarm(0)
            assert time.perf_counter() - started < seconds + 1
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not crashes, f"{len(crashes)} of {CASES} mutated {fmt} files crashed: {crashes[:5]}"
    assert outcomes["thumbnails"] > 0 and outcomes["refused"] > 0, f"the mutations must exercise both: {outcomes}"


def test_mutated_uploads_through_the_handler_leave_nothing_in_tmp(s3, tmp):
    rng = random.Random("fuzz-handler")
    keys = []
    for index, (fmt, seed) in enumerate(sorted(seeds().items()) * 25):
        key = f"fuzz/{index}.{fmt.lower()}"
        s3.put_object(Bucket="uploads", Key=key, Body=mutate(seed, rng))
        keys.append(key)
    summary = invoke(s3_event(*keys))
    assert len(summary["processed"]) + len(summary["failed"]) == len(keys)
    assert not [f for f in summary["failed"] if f.get("transient") or "unexpected" in f["reason"]]
    assert not list(tmp.iterdir()), "every download removed"
