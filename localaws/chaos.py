"""Chaos rules: faults and latency in every request localaws answers, in LocalStack's Chaos API schema.

``/_localaws/chaos/faults`` holds a JSON array of rules, as LocalStack's ``/_localstack/chaos/faults`` does::

    [{"service": "s3", "region": "us-east-1", "operation": "GetObject", "probability": 0.05,
      "error": {"statusCode": 503, "code": "SlowDown"}}]

Every field is optional (a missing one matches anything; ``probability`` defaults to 1; ``error`` to
``503 ServiceUnavailable``, LocalStack's default). The first rule that matches a request, and whose probability
draws it, answers it with its error (so 5% SlowDown then 2% InternalError on one operation fail it 5% and about 2%);
``GET`` lists the rules, ``POST`` replaces them (``[]`` clears), ``PATCH`` appends, ``DELETE`` removes the rules
given (equal as JSON objects). ``/_localaws/chaos/effects`` holds ``{"latency": ms, "jitter": ms}``: every request
waits ``latency`` ms plus up to ``jitter`` ms more before it is served.

The error is answered in the shape the service really answers it, so an SDK reads it as it reads AWS's own:
S3's XML ``<Error><Code>SlowDown</Code>...`` with ``x-amz-request-id``; the JSON protocol's
``{"__type": "ThrottlingException", ...}`` (Secrets Manager, KMS, CloudWatch Logs, EventBridge, SQS) with
``x-amzn-RequestId`` (and ``x-amzn-query-error`` for SQS, whose SDKs read the query protocol's code there); the
query protocol's ``<ErrorResponse>`` XML (SNS, IAM, STS); REST-JSON's body and ``x-amzn-ErrorType`` (Lambda).

A request's service and region come from its signature's credential scope (``.../us-east-1/s3/aws4_request``);
its operation from ``X-Amz-Target`` (JSON), ``Action`` (query), the method and path (S3's object and bucket
operations, Lambda's ``Invoke``). A rule naming an operation does not match a request whose operation is not
recognised.

Lambda rules act on the invocation, not on the HTTP request, so they reach every invocation -- ``Invoke``, an S3
notification, EventBridge, an SQS batch -- as AWS FIS's Lambda actions do (``aws:lambda:invocation-error``):
``{"service": "lambda", "operation": "Invoke", "error": {"code": "..."}}`` fails the invocation before the handler
runs (its ``code`` is the error type; the caller retries it as any function error), and ``"kill_after_ms": N``
ends the runtime process N ms into the invocation, as an out-of-memory kill does (``Runtime.ExitError``,
``signal: killed``; the next invocation is a cold start).
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from .enforce import credential

PREFIX = "/_localaws/chaos"
DEFAULT_STATUS = 503
DEFAULT_CODE = "ServiceUnavailable"
DEFAULT_MESSAGE = "Operation failed due to a simulated fault"  # LocalStack's
FIELDS = {"service", "region", "operation", "probability", "error", "kill_after_ms"}
MESSAGES = {  # what AWS says with these codes
    "SlowDown": "Please reduce your request rate.",
    "InternalError": "We encountered an internal error. Please try again.",
    "ServiceUnavailable": "Please reduce your request rate.",
    "ThrottlingException": "Rate exceeded",
    "Throttling": "Rate exceeded",
    "TooManyRequestsException": "Rate exceeded",
}
JSON_CONTENT = "application/x-amz-json-1.1"


class RuleError(ValueError):
    """A rule that is not in the schema; the message names the rule and the field."""


@dataclass(frozen=True)
class Fault:
    """What a matching rule does: an error to answer, or (Lambda) a kill some ms into the invocation."""

    status: int
    code: str
    message: str
    kill_after_ms: int | None = None


def _check(rule: Any) -> dict[str, Any]:
    if not isinstance(rule, dict):
        raise RuleError(f"a chaos rule is a JSON object; got {json.dumps(rule)}")
    unknown = set(rule) - FIELDS
    if unknown:
        raise RuleError(
            f"chaos rule {json.dumps(rule)}: unknown field(s) {', '.join(sorted(unknown))}; "
            f"the fields are {', '.join(sorted(FIELDS))}"
        )
    for name in ("service", "region", "operation"):
        if name in rule and not isinstance(rule[name], str):
            raise RuleError(f"chaos rule {json.dumps(rule)}: {name} must be a string")
    probability = rule.get("probability", 1)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 <= probability <= 1:
        raise RuleError(f"chaos rule {json.dumps(rule)}: probability must be a number from 0 to 1")
    error = rule.get("error", {})
    if not isinstance(error, dict) or set(error) - {"statusCode", "code", "message"}:
        raise RuleError(f"chaos rule {json.dumps(rule)}: error is an object of statusCode, code and message")
    status = error.get("statusCode", DEFAULT_STATUS)
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise RuleError(f"chaos rule {json.dumps(rule)}: error.statusCode must be an HTTP error status (400-599)")
    kill = rule.get("kill_after_ms")
    if kill is not None:
        if isinstance(kill, bool) or not isinstance(kill, int) or kill < 0:
            raise RuleError(f"chaos rule {json.dumps(rule)}: kill_after_ms must be a whole number of ms, 0 or more")
        if rule.get("service", "").lower() != "lambda" or "error" in rule:
            raise RuleError(
                f"chaos rule {json.dumps(rule)}: kill_after_ms is for Lambda rules "
                '({"service": "lambda", "operation": "Invoke"}) without an error'
            )
    return rule


def check_rules(rules: Any) -> list[dict[str, Any]]:
    """The rules of a request body, or RuleError saying what is wrong."""
    if not isinstance(rules, list):
        raise RuleError(f"chaos faults are a JSON array of rules; got {json.dumps(rules)}")
    return [_check(rule) for rule in rules]


def check_effects(effects: Any) -> dict[str, float]:
    if not isinstance(effects, dict) or set(effects) - {"latency", "jitter"}:
        raise RuleError(f'chaos effects are {{"latency": ms, "jitter": ms}}; got {json.dumps(effects)}')
    for name, value in effects.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise RuleError(f"chaos effects: {name} must be a number of ms, 0 or more; got {json.dumps(value)}")
    return {"latency": effects.get("latency", 0), "jitter": effects.get("jitter", 0)}


def _matches(rule: dict[str, Any], service: str | None, region: str | None, operation: str | None) -> bool:
    for name, value in (("service", service), ("region", region), ("operation", operation)):
        if name in rule and (value is None or rule[name].lower() != value.lower()):
            return False
    return True


class Chaos:
    """The rules and effects of one localaws; ``fault(...)`` draws whether a request fails."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[dict[str, Any]] = []
        self._effects: dict[str, float] = {"latency": 0, "jitter": 0}
        self._random = rng or random.Random()
        self.injected: dict[str, int] = {}  # "service operation code" -> how many times answered

    # -- the API's state ------------------------------------------------------------------------------------

    @property
    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(rule) for rule in self._rules]

    def set_rules(self, rules: Any) -> list[dict[str, Any]]:
        checked = check_rules(rules)
        with self._lock:
            self._rules = checked
        return self.rules

    def add_rules(self, rules: Any) -> list[dict[str, Any]]:
        checked = check_rules(rules)
        with self._lock:
            self._rules = self._rules + checked
        return self.rules

    def remove_rules(self, rules: Any) -> list[dict[str, Any]]:
        gone = check_rules(rules)
        with self._lock:
            self._rules = [rule for rule in self._rules if rule not in gone]
        return self.rules

    @property
    def effects(self) -> dict[str, float]:
        with self._lock:
            return dict(self._effects)

    def set_effects(self, effects: Any) -> dict[str, float]:
        checked = check_effects(effects)
        with self._lock:
            self._effects = checked
        return self.effects

    @property
    def active(self) -> bool:
        return bool(self._rules) or any(self._effects.values())

    # -- deciding -------------------------------------------------------------------------------------------

    def delay(self) -> None:
        effects = self._effects
        if effects["latency"] or effects["jitter"]:
            with self._lock:
                extra = self._random.uniform(0, effects["jitter"]) if effects["jitter"] else 0.0
            time.sleep((effects["latency"] + extra) / 1000)

    def fault(self, service: str | None, region: str | None, operation: str | None) -> Fault | None:
        """The fault of the first rule that matches the request and whose probability draws it; else None."""
        with self._lock:
            for rule in self._rules:
                if not _matches(rule, service, region, operation):
                    continue
                probability = rule.get("probability", 1)
                if probability < 1 and self._random.random() >= probability:
                    continue  # drawn "not this time": the next rule may still match
                error = rule.get("error", {})
                code = error.get("code", DEFAULT_CODE)
                fault = Fault(
                    status=error.get("statusCode", DEFAULT_STATUS),
                    code=code,
                    message=error.get("message") or MESSAGES.get(code, DEFAULT_MESSAGE),
                    kill_after_ms=rule.get("kill_after_ms"),
                )
                what = f"{service} {operation} {'kill' if fault.kill_after_ms is not None else code}"
                self.injected[what] = self.injected.get(what, 0) + 1
                return fault
        return None

    def invocation(self, fn: Any) -> Fault | None:
        """The fault a Lambda rule puts on one invocation of ``fn`` (every way in: Invoke, S3, EventBridge, SQS)."""
        if not self._rules:
            return None
        return self.fault("lambda", fn.function_arn.split(":")[3], "Invoke")


# -- the request's service, region and operation -------------------------------------------------------------

_S3_OBJECT = {
    ("GET", "tagging"): "GetObjectTagging",
    ("PUT", "tagging"): "PutObjectTagging",
    ("DELETE", "tagging"): "DeleteObjectTagging",
    ("GET", "acl"): "GetObjectAcl",
    ("PUT", "acl"): "PutObjectAcl",
    ("GET", "attributes"): "GetObjectAttributes",
    ("GET", "uploadId"): "ListParts",
    ("PUT", "uploadId"): "UploadPart",
    ("POST", "uploadId"): "CompleteMultipartUpload",
    ("DELETE", "uploadId"): "AbortMultipartUpload",
    ("POST", "uploads"): "CreateMultipartUpload",
    ("POST", "restore"): "RestoreObject",
    ("GET", ""): "GetObject",
    ("HEAD", ""): "HeadObject",
    ("PUT", ""): "PutObject",
    ("DELETE", ""): "DeleteObject",
}
_S3_BUCKET = {
    ("GET", "list-type"): "ListObjectsV2",
    ("GET", "versions"): "ListObjectVersions",
    ("GET", "uploads"): "ListMultipartUploads",
    ("GET", "location"): "GetBucketLocation",
    ("GET", "notification"): "GetBucketNotificationConfiguration",
    ("PUT", "notification"): "PutBucketNotificationConfiguration",
    ("POST", "delete"): "DeleteObjects",
    ("GET", ""): "ListObjects",
    ("HEAD", ""): "HeadBucket",
    ("PUT", ""): "CreateBucket",
    ("DELETE", ""): "DeleteBucket",
}
_S3_SUBRESOURCE = re.compile(r"^[a-z][a-z-]*$")
_LAMBDA_INVOKE = re.compile(r"^/2015-03-31/functions/[^/]+/invocations$")
_LOCAL_HOSTS = re.compile(r"^(localhost|[0-9.]+|\[[0-9a-f:]+\]|s3[.-].*)$")


def s3_operation(method: str, path: str, query: dict[str, list[str]], host: str, headers: dict[str, str]) -> str:
    """S3's operation name of a request, path-style or virtual-hosted (``bucket.s3...``)."""
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    parts = [p for p in path.split("/") if p]
    if not _LOCAL_HOSTS.match(hostname) and "." in hostname:
        parts = [hostname.split(".")[0], *parts]  # virtual-hosted: the bucket is the first label
    if not parts:
        return "ListBuckets"
    keys = [k for k in query if _S3_SUBRESOURCE.match(k) and not k.startswith("x-")]
    if len(parts) >= 2:
        if method == "PUT" and "x-amz-copy-source" in headers and "uploadId" not in query:
            return "CopyObject"
        for name in [*keys, "uploadId" if "uploadId" in query else "", ""]:
            if (method, name) in _S3_OBJECT:
                return _S3_OBJECT[(method, name)]
        return method.title() + "Object"
    for name in keys:
        if (method, name) in _S3_BUCKET:
            return _S3_BUCKET[(method, name)]
    if keys:  # PUT ?policy -> PutBucketPolicy, GET ?tagging -> GetBucketTagging, DELETE ?cors -> DeleteBucketCors
        verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method.title())
        return verb + "Bucket" + "".join(word.title() for word in keys[0].split("-"))
    return _S3_BUCKET.get((method, ""), method.title() + "Bucket")


@dataclass(frozen=True)
class Request:
    service: str | None
    region: str | None
    operation: str | None
    protocol: str  # rest-xml, json, query, rest-json


def identify(environ: dict[str, Any], body: Callable[[], bytes]) -> Request:
    """Service, region and operation of a WSGI request (``body()`` reads the body only when the query protocol
    needs it)."""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    signed = credential(headers, query)
    service, region = (signed[2], signed[1]) if signed else (None, None)
    method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
    if service == "s3":
        return Request(service, region, s3_operation(method, path, query, headers.get("host", ""), headers), "rest-xml")
    target = headers.get("x-amz-target")
    if target:
        return Request(service, region, target.rsplit(".", 1)[-1], "json")
    action = query.get("Action")
    if not action and "x-www-form-urlencoded" in headers.get("content-type", ""):
        action = parse_qs(body().decode("utf-8", "replace")).get("Action")
    if action:
        return Request(service, region, action[0], "query")
    if service == "lambda" and method == "POST" and _LAMBDA_INVOKE.match(path):
        return Request(service, region, "Invoke", "rest-json")
    return Request(service, region, None, "rest-json")


def error_response(request: Request, fault: Fault, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of ``fault`` in the service's own error shape."""
    request_id = uuid.uuid4().hex.upper()[:16] if request.protocol == "rest-xml" else str(uuid.uuid4())
    status = f"{fault.status} {_REASONS.get(fault.status, 'Error')}"
    if request.protocol == "rest-xml":
        host_id = uuid.uuid4().hex
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{fault.code}</Code><Message>{fault.message}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
        ).encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id), ("x-amz-id-2", host_id)]
        if method == "HEAD":  # a HEAD answer has no body: the SDK reads the status
            body = b""
    elif request.protocol == "json":
        body = json.dumps({"__type": fault.code, "message": fault.message}).encode()
        headers = [("Content-Type", JSON_CONTENT), ("x-amzn-RequestId", request_id)]
        if request.service == "sqs":
            sender = "Sender" if fault.status < 500 else "Receiver"
            headers.append(("x-amzn-query-error", f"{fault.code};{sender}"))
    elif request.protocol == "query":
        kind = "Sender" if fault.status < 500 else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{fault.code}</Code><Message>{fault.message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    else:
        body = json.dumps({"Type": "User" if fault.status < 500 else "Service", "message": fault.message}).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", fault.code),
        ]
    if fault.status in (429, 503):
        headers.append(("Retry-After", "1"))
    headers.append(("Content-Length", str(len(body))))
    return status, headers, body


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# -- the WSGI layer in front of moto -------------------------------------------------------------------------


class Middleware:
    """Serves ``/_localaws/chaos/...`` and puts the rules and effects on every other request."""

    def __init__(self, app: Any, chaos: Chaos) -> None:
        self.app = app
        self.chaos = chaos

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return self._api(environ, start_response, path[len(PREFIX) :].strip("/"))
        if not self.chaos.active:
            return self.app(environ, start_response)
        self.chaos.delay()
        cached: list[bytes] = []

        def body() -> bytes:
            if not cached:
                import io

                length = int(environ.get("CONTENT_LENGTH") or 0)
                cached.append(environ["wsgi.input"].read(length) if length else b"")
                environ["wsgi.input"] = io.BytesIO(cached[0])
            return cached[0]

        request = identify(environ, body)
        is_invoke = request.service == "lambda" and request.operation == "Invoke"
        fault = None if is_invoke else self.chaos.fault(request.service, request.region, request.operation)
        if fault is None or fault.kill_after_ms is not None:  # a kill acts on invocations only
            return self.app(environ, start_response)
        if environ.get("CONTENT_LENGTH") and not cached:
            body()  # read what the client sent, so the connection stays usable
        status, headers, data = error_response(request, fault, environ.get("REQUEST_METHOD", "GET"))
        start_response(status, headers)
        return [data]

    def _api(self, environ: dict[str, Any], start_response: Any, what: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            given = json.loads(raw) if raw.strip() else None
            actions: dict[str, Callable[[], Any]]
            if what == "faults":
                actions = {
                    "GET": lambda: self.chaos.rules,
                    "POST": lambda: self.chaos.set_rules(given if given is not None else []),
                    "PATCH": lambda: self.chaos.add_rules(given if given is not None else []),
                    "DELETE": lambda: self.chaos.remove_rules(given if given is not None else []),
                }
            elif what == "effects":
                actions = {
                    "GET": lambda: self.chaos.effects,
                    "POST": lambda: self.chaos.set_effects(given if given is not None else {}),
                }
            else:
                return _json(start_response, 404, {"error": f"no {PREFIX}/{what}: the API is faults and effects"})
            if method not in actions:
                allowed = ", ".join(actions)
                return _json(start_response, 405, {"error": f"{PREFIX}/{what} takes {allowed}; got {method}"})
            return _json(start_response, 200, actions[method]())
        except ValueError as exc:  # RuleError, or a body that is not JSON
            return _json(start_response, 400, {"error": str(exc)})


def _json(start_response: Any, status: int, value: Any) -> list[bytes]:
    data = json.dumps(value).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class Server(ThreadedMotoServer):
    """moto's threaded server with the chaos layer in front of its application."""

    def __init__(self, chaos: Chaos, ip_address: str, port: int) -> None:
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self.chaos = chaos

    def _server_entry(self) -> None:
        app = Middleware(DomainDispatcherApplication(create_backend_app), self.chaos)
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
