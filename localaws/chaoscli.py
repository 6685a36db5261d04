"""``localaws chaos``: set and list a running localaws's chaos rules and effects from a shell (chaos.py).

    localaws chaos                                  # the rules and effects now
    localaws chaos add '[{"service": "s3", "operation": "GetObject", "probability": 0.05,
                          "error": {"statusCode": 503, "code": "SlowDown"}}]'
    localaws chaos add --service s3 --operation PutObject --probability 0.02 --status 500 --code InternalError
    localaws chaos add --service lambda --operation Invoke --kill-after-ms 300 --probability 0.01
    localaws chaos set @rules.json                  # replace them all (a file, or - for stdin)
    localaws chaos remove '[...]'                   # the rules given
    localaws chaos clear                            # no rule, no latency
    localaws chaos latency 200 --jitter 50

The endpoint is ``--endpoint``, else ``AWS_ENDPOINT_URL``, else http://127.0.0.1:4566.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from .chaos import PREFIX


def _request(endpoint: str, method: str, what: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{endpoint.rstrip('/')}{PREFIX}/{what}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"localaws chaos: {json.loads(exc.read()).get('error', exc.reason)}") from None
    except urllib.error.URLError as exc:
        raise SystemExit(f"localaws chaos: no localaws at {endpoint}: {exc.reason}") from None


def _rules(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[dict[str, Any]]:
    if args.rules is not None:
        text = args.rules
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            with open(text[1:], encoding="utf-8") as handle:
                text = handle.read()
        try:
            given = json.loads(text)
        except ValueError as exc:
            parser.error(f"the rules are not JSON: {exc}")
        return given if isinstance(given, list) else [given]
    rule: dict[str, Any] = {}
    for name in ("service", "region", "operation", "probability"):
        if getattr(args, name) is not None:
            rule[name] = getattr(args, name)
    if args.status is not None or args.code is not None:
        rule["error"] = {k: v for k, v in (("statusCode", args.status), ("code", args.code)) if v is not None}
    if args.kill_after_ms is not None:
        rule["kill_after_ms"] = args.kill_after_ms
    if not rule:
        parser.error("give the rules as JSON, or at least one of --service --region --operation ...")
    return [rule]


def show(endpoint: str) -> str:
    rules = _request(endpoint, "GET", "faults")
    effects = _request(endpoint, "GET", "effects")
    lines = [f"{len(rules)} rule(s) at {endpoint}{PREFIX}/faults (the first that matches answers):"]
    lines += [f"  {i}. {json.dumps(rule)}" for i, rule in enumerate(rules, 1)]
    lines.append(f"effects: latency {effects['latency']} ms, jitter {effects['jitter']} ms")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="localaws chaos", description="A running localaws's chaos rules and effects.")
    parser.add_argument(
        "--endpoint", default=os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566", help="localaws's URL"
    )
    parser.add_argument("--json", action="store_true", help="print the rules and effects as one JSON object")
    actions = parser.add_subparsers(dest="action")
    for name, what in (("add", "append rules"), ("set", "replace every rule"), ("remove", "remove the rules given")):
        sub = actions.add_parser(name, help=what)
        sub.add_argument("rules", nargs="?", help="a JSON array of rules (or one rule), @FILE, or - for stdin")
        sub.add_argument("--service")
        sub.add_argument("--region")
        sub.add_argument("--operation")
        sub.add_argument("--probability", type=float)
        sub.add_argument("--status", type=int, help="the error's HTTP status (default 503)")
        sub.add_argument("--code", help="the error's code (default ServiceUnavailable)")
        sub.add_argument("--kill-after-ms", type=int, help="Lambda: kill the runtime this long into the invocation")
    actions.add_parser("clear", help="no rule and no latency")
    latency = actions.add_parser("latency", help="every request waits MS (plus up to --jitter MS)")
    latency.add_argument("ms", type=float)
    latency.add_argument("--jitter", type=float, default=0)
    args = parser.parse_args(argv)
    method = {"add": "PATCH", "set": "POST", "remove": "DELETE"}.get(args.action or "")
    if method:
        _request(args.endpoint, method, "faults", _rules(args, parser))
    elif args.action == "clear":
        _request(args.endpoint, "POST", "faults", [])
        _request(args.endpoint, "POST", "effects", {"latency": 0, "jitter": 0})
    elif args.action == "latency":
        _request(args.endpoint, "POST", "effects", {"latency": args.ms, "jitter": args.jitter})
    if args.json:
        faults, effects = _request(args.endpoint, "GET", "faults"), _request(args.endpoint, "GET", "effects")
        print(json.dumps({"faults": faults, "effects": effects}, indent=2))
    else:
        print(show(args.endpoint))
    return 0
