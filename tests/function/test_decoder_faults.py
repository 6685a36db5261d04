"""A decoder that crashes is one refused record, not a dead runtime.

``invalid_metadata_type.heic``, from pillow-heif's own test images (fetched from its source distribution at test
time, never committed), makes pi-heif 1.4.0 (libheif 1.23.0) die of a segmentation fault as soon as it is opened.
Replayed through the handler alone, and inside an SQS batch of good pictures: the good ones are thumbnailed, the
bad one is refused with a reason and is not sent back, and the process that ran the handler is still here.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devkit.corpus import pillow_heif_test_image

from .aws.test_events import sqs_batch
from .conftest import SOURCE, invoke, log_lines, s3_event, thumbnail_keys
from .images import animation, encode, jpeg, photo

CRASHER = "tests/images/heif_special/invalid_metadata_type.heic"


@pytest.fixture
def crasher() -> bytes:
    return pillow_heif_test_image(CRASHER).read_bytes()


@pytest.fixture
def heif(env):
    env.setenv("EXTRA_FORMATS", "heif")


def test_the_file_really_crashes_an_unprotected_process(crasher: bytes, tmp_path):
    """The premise: opened in a process of its own without containment, the file kills it (SIGSEGV)."""
    path = tmp_path / "crash.heic"
    path.write_bytes(crasher)
    script = (
        "import sys; from PIL import Image; from pi_heif import register_heif_opener; register_heif_opener(); "
        f"Image.open({str(path)!r}).load()"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == -11, done.stderr  # killed by signal 11


def test_alone_it_is_refused_with_a_reason(heif, s3, crasher: bytes, capsys):
    s3.put_object(Bucket=SOURCE, Key="phone/crash.heic", Body=crasher)
    response = invoke(s3_event("phone/crash.heic"))
    [failed] = response["failed"]
    assert failed["key"] == "phone/crash.heic"
    assert "the decoder crashed (SIGSEGV)" in failed["reason"]
    assert not failed.get("transient")  # refused, not retried
    assert thumbnail_keys(s3) == []
    [line] = [e for e in log_lines(capsys.readouterr().out) if e["level"] == "ERROR"]
    assert line["key"] == "phone/crash.heic" and "SIGSEGV" in line["reason"]
    assert os.getpid() > 0  # this process (the "runtime") ran on; the next invocation works:
    s3.put_object(Bucket=SOURCE, Key="after.jpg", Body=jpeg(300, 200))
    assert [p["key"] for p in invoke(s3_event("after.jpg"))["processed"]] == ["after.jpg"]


def test_in_an_sqs_batch_the_good_pictures_succeed_and_the_bad_one_is_let_go(heif, s3, crasher: bytes, capsys):
    good = {
        "a.jpg": jpeg(400, 300),
        "b.png": encode(photo(300, 200), "PNG"),
        "c.webp": encode(photo(300, 200), "WEBP"),
        "d.gif": animation("GIF")[0],
    }
    for key, body in good.items():
        s3.put_object(Bucket=SOURCE, Key=key, Body=body)
    s3.put_object(Bucket=SOURCE, Key="crash.heic", Body=crasher)
    keys = ["a.jpg", "b.png", "crash.heic", "c.webp", "d.gif"]
    assert invoke(sqs_batch(*keys)) == {"batchItemFailures": []}  # nothing comes back: the crash is permanent
    made = {k.split("/", 2)[2] for k in thumbnail_keys(s3)}
    assert made == {"a.jpg", "b.png", "c.webp", "d.gif.webp"}
    errors = {e["item"]: e["reason"] for e in log_lines(capsys.readouterr().out) if e["level"] == "ERROR"}
    assert list(errors) == ["message-2"]
    assert "the decoder crashed (SIGSEGV)" in errors["message-2"]
