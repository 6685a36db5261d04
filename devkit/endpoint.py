"""Run the real ``localaws`` command for the demo and the end-to-end tests, and wait on what it does."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

LOCALAWS = Path(sys.executable).with_name("localaws")  # the console script `pip install -e .` provides
T = TypeVar("T")


@contextmanager
def localaws(
    log: Path, *options: str, ready_within: float = 60, keep: bool = False, pid_file: Path | None = None
) -> Iterator[str]:
    """Start ``localaws --port 0`` (stderr to ``log``), yield its URL once it is ready, stop it with SIGTERM --
    unless ``keep``, when it is left running on its own (its process id in ``pid_file``).

    Raises RuntimeError if it does not start, or does not stop cleanly.
    """
    if not LOCALAWS.is_file():
        raise RuntimeError(f"{LOCALAWS} is missing: run `make setup` (pip install -e . provides localaws)")
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(LOCALAWS), "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=keep,  # a kept endpoint outlives make and its Ctrl-C
        )
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], ready_within)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("localaws ready: "):
            process.kill()
            raise RuntimeError(f"localaws did not start ({line.strip()!r}); see {log}")
        if pid_file is not None:
            pid_file.write_text(f"{process.pid}\n")
        try:
            yield line.split(": ", 1)[1].strip()
        finally:
            if not keep:
                process.send_signal(signal.SIGTERM)
                if process.wait(timeout=30) != 0:
                    raise RuntimeError(f"localaws did not stop cleanly (exit {process.returncode}); see {log}")


def client(endpoint: str, service: str) -> Any:
    """A boto3 client of ``service`` at localaws, with the credentials its callers use (localaws accepts any)."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="localaws",
        aws_secret_access_key="localaws",
    )


def wait_for(check: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``check`` until it returns something truthy: a readiness check, never a fixed sleep.

    Raises TimeoutError naming ``what``.
    """
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)
    return result
