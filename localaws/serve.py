"""``localaws --port PORT``: serve the local AWS on 127.0.0.1 until Ctrl-C or SIGTERM (cli.py dispatches here).

Its own module so that ``localaws terraform`` does not import moto and the runtime (0.4 s a command)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from .guard import DEFAULT_CEILING_MB, MemoryGuard
from .runtime import ACCOUNT_CONCURRENCY, IDLE_SECONDS
from .server import LocalAWS

EXIT_MEMORY = 3  # stopped by the memory ceiling


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="localaws",
        description="moto's AWS endpoint on 127.0.0.1 that also executes Lambda functions (no Docker). "
        "`localaws terraform ARGS` runs Terraform in the current directory pointed at it; "
        "`localaws chaos ...` sets and lists a running one's fault rules and latency.",
    )
    parser.add_argument("--port", type=int, default=4566, help="port to listen on; 0 picks a free one (default 4566)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--work-dir", type=Path, help="where function code is extracted (default: a temporary dir)")
    parser.add_argument(
        "--retry-delay",
        type=float,
        default=1.0,
        help="seconds before the first retry of a failed asynchronous invocation (default 1)",
    )
    parser.add_argument(
        "--max-memory-mb",
        type=int,
        default=DEFAULT_CEILING_MB,
        help=f"stop, saying why, when localaws itself uses more memory than this (default {DEFAULT_CEILING_MB}; "
        "0: no ceiling)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=ACCOUNT_CONCURRENCY,
        help=f"the account's concurrent executions per region (default {ACCOUNT_CONCURRENCY}, as Lambda's quota)",
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=IDLE_SECONDS,
        help=f"stop an execution environment idle this long (default {IDLE_SECONDS:.0f})",
    )
    parser.add_argument(
        "--hot-reload",
        action="append",
        default=[],
        metavar="FUNCTION=DIR",
        help="development aid: run FUNCTION's code (a name or a pattern such as '*') from the local DIR instead of "
        "its ZIP; an edit there takes effect on the next invocation (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    args = parser.parse_args(argv)
    args.hot_reload = dict(_hot_reload(parser, given) for given in args.hot_reload)
    return args


def _hot_reload(parser: argparse.ArgumentParser, given: str) -> tuple[str, Path]:
    name, _, directory = given.partition("=")
    if not name or not directory or not Path(directory).is_dir():
        parser.error(f"--hot-reload wants FUNCTION=DIR with an existing directory; got {given!r}")
    return name, Path(directory)


def main(given: list[str]) -> int:
    args = parse(given)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    aws = LocalAWS(
        host=args.host,
        port=args.port,
        work_dir=args.work_dir,
        retry_delay=args.retry_delay,
        concurrency=args.concurrency,
        idle_seconds=args.idle_seconds,
        hot_reload=args.hot_reload,
    )
    try:
        aws.start()
    except OSError as exc:
        print(f"localaws: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    exceeded: list[int] = []
    guard = None
    if args.max_memory_mb > 0:

        def too_big(used_mb: int) -> None:
            exceeded.append(used_mb)
            stop.set()

        guard = MemoryGuard(args.max_memory_mb, too_big).start()
    # The line tests and the demo wait for (a readiness check, not a sleep).
    print(f"localaws ready: {aws.endpoint_url}", flush=True)
    stop.wait()
    print("localaws: stopping", flush=True)
    if guard is not None:
        guard.stop()
    aws.stop(drain_seconds=0 if exceeded else 5.0)
    return EXIT_MEMORY if exceeded else 0
