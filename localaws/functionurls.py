"""Lambda function URLs: an HTTP endpoint per function URL that invokes the function as Lambda does.

Each function URL gets its own listener on localaws's host, ``http://127.0.0.1:PORT/`` -- the URL
``CreateFunctionUrlConfig`` answers. A port of its own, not a path under localaws's endpoint, because a function URL
is a host of its own on AWS: the request's path is the function's path (``rawPath`` is exactly what the client
asked for), and what takes the host out of the URL (a CloudFront origin's ``domain_name``) gets a host that
reaches this function and no other. (``<id>.lambda-url.<region>.localhost`` would be closer in shape, but does not
resolve for most HTTP clients, Python's among them.)

A request is authorised as Lambda does (policy.py): with ``AWS_IAM``, the request must be signed with
Signature Version 4 by a key localaws knows (callers.py), and the caller's identity-based policies or the function's
resource-based policy must allow both ``lambda:InvokeFunctionUrl`` (with ``lambda:FunctionUrlAuthType``) and
``lambda:InvokeFunction`` (with ``lambda:InvokedViaFunctionUrl``), as function URLs created since October 2025
require; with ``NONE``, no signature, but the resource-based policy must still allow the public (``*``) both. A
refusal is ``403 {"Message":"Forbidden"}``.

The function is invoked synchronously with the version 2.0 payload, and its result is turned into the HTTP
response: ``statusCode``, ``headers``, ``cookies`` (one ``Set-Cookie`` each), ``body`` (base64-decoded when
``isBase64Encoded``); a result without ``statusCode`` is a 200 ``application/json`` response whose body is the result
itself. A function error, or a result over Lambda's 6 MB response limit (6,291,556 bytes), is ``502 Internal Server
Error``; a throttled invocation is ``429``.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from .admission import Throttled
from .callers import Caller, Origins, verify
from .outcome import Outcome
from .policy import Policy, Request, evaluate
from .sessions import Sessions

log = logging.getLogger("localaws")

RESPONSE_LIMIT = 6_291_556  # bytes: Lambda's synchronous response payload limit (6 MB)
REQUEST_LIMIT = 6_291_556
FORBIDDEN = b'{"Message":"Forbidden"}'
_DENIED = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")]
_TOO_LARGE = b'{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}'
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "+json", "+xml")


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind.startswith("text/") or any(t in kind for t in _TEXT_TYPES) or kind.endswith("x-www-form-urlencoded")


def event(
    url_id: str,
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    account_id: str,
    region: str,
    caller: Caller | None,
    request_id: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The version 2.0 payload Lambda sends a function for a request to its URL."""
    now = time.time() if now is None else now
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        name = name.lower()
        if name == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    domain = f"{url_id}.lambda-url.{region}.on.aws"
    merged.setdefault("x-forwarded-for", source_ip)
    merged.setdefault("x-forwarded-proto", "http")
    merged.setdefault("x-amzn-trace-id", f"Root=1-{int(now):08x}-{uuid.uuid4().hex[:24]}")
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    authorizer = None
    if caller is not None:
        authorizer = {
            "iam": {
                "accessKey": caller.access_key_id,
                "accountId": caller.account,
                "callerId": caller.user_id or caller.principal,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": caller.principal,
                "userId": caller.user_id or caller.principal,
            }
        }
    payload: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": account_id,
            "apiId": url_id,
            "authentication": None,
            "authorizer": authorizer,
            "domainName": domain,
            "domainPrefix": url_id,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        payload["cookies"] = cookies
    if query:
        payload["queryStringParameters"] = query
    if body:
        if _is_text(merged.get("content-type", "")):
            try:
                payload["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                payload["body"], payload["isBase64Encoded"] = base64.b64encode(body).decode(), True
        else:
            payload["body"], payload["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return payload


def response(outcome: Outcome) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of the HTTP response Lambda makes of an invocation's result."""
    internal = (502, [("Content-Type", "application/json")], b"Internal Server Error")
    if not outcome.ok or len(outcome.payload) > RESPONSE_LIMIT:
        return internal
    try:
        result = json.loads(outcome.payload)
    except ValueError:
        return 200, [("Content-Type", "application/json")], outcome.payload
    if not isinstance(result, dict) or "statusCode" not in result:
        return 200, [("Content-Type", "application/json")], outcome.payload
    try:
        status = int(result["statusCode"])
        headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
        headers += [("Set-Cookie", str(c)) for c in result.get("cookies") or []]
        body = result.get("body")
        if body is None:
            data = b""
        elif result.get("isBase64Encoded"):
            data = base64.b64decode(str(body))
        else:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
    except (TypeError, ValueError, AttributeError):
        return internal
    if not 100 <= status <= 599:
        return internal
    return status, headers, data


def authorise(fn: Any, auth_type: str, caller: Caller | None) -> tuple[bool, str]:
    """Whether ``caller`` (None: an anonymous caller, for ``NONE``) may invoke ``fn`` through its URL."""
    policy = None
    raw = getattr(fn, "policy", None)
    statements = list(getattr(raw, "statements", []) or [])
    if statements:
        policy = Policy(f"resource-based policy of {fn.function_name}", {"Statement": resource_statements(statements)})
    principal = caller.principal if caller else "anonymous"
    account = caller.account if caller else fn.account_id  # the public: the resource's policy decides alone
    # a service principal (CloudFront) has no identity policies: the function's policy decides, whatever the account
    resource_account = None if caller is None or not caller.principal.startswith("arn:") else fn.account_id
    asks = [
        ("lambda:InvokeFunctionUrl", {"lambda:FunctionUrlAuthType": auth_type}),
        ("lambda:InvokeFunction", {"lambda:InvokedViaFunctionUrl": "true", "lambda:FunctionUrlAuthType": auth_type}),
    ]
    for action, context in asks:
        request = Request(
            action,
            fn.function_arn,
            principal,
            caller.role if caller else "",
            account,
            resource_account,
            {**(caller.context if caller else {}), **context},
        )
        try:
            decision = evaluate(request, caller.identity if caller else [], caller.boundary if caller else None, policy)
        except ValueError as exc:
            return False, f"localaws cannot evaluate the policy ({exc})"
        if not decision.allowed:
            return False, f"{action}: {decision.reason}"
    return True, ""


def resource_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The function's policy statements as Lambda writes them: ``FunctionUrlAuthType`` (which moto keeps as a key
    of the statement) is the condition ``lambda:FunctionUrlAuthType``, and a principal given as an ARN or account
    (which moto keeps as a string) is ``{"AWS": ...}``."""
    written = []
    for statement in statements:
        statement = dict(statement)
        principal = statement.get("Principal")
        if isinstance(principal, str) and principal.startswith("arn:"):
            statement["Principal"] = {"AWS": principal}
        auth_type = statement.pop("FunctionUrlAuthType", None)
        via_url = statement.pop("InvokedViaFunctionUrl", None)
        condition = {op: dict(keys) for op, keys in (statement.get("Condition") or {}).items()}
        if auth_type:
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth_type
        if via_url is not None:
            condition.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = str(via_url).lower()
        if condition:
            statement["Condition"] = condition
        written.append(statement)
    return written


class FunctionUrl:
    """One function URL's listener."""

    def __init__(self, urls: FunctionUrls, url_id: str, account_id: str, region: str, function_arn: str) -> None:
        self.url_id = url_id
        self.account_id = account_id
        self.region = region
        self.function_arn = function_arn
        handler = _handler(urls, self)
        self.server = ThreadingHTTPServer((urls.host, 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://{urls.host}:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"function-url-{url_id}", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FunctionUrls:
    """The function URLs of one localaws: opened by ``CreateFunctionUrlConfig``, closed with the URL or function."""

    def __init__(
        self,
        execute: Callable[[Any, bytes], Outcome],
        host: str = "127.0.0.1",
        sessions: Sessions | None = None,
        origins: Origins | None = None,
    ) -> None:
        self.execute = execute
        self.host = host
        self.sessions = sessions
        self.origins = origins if origins is not None else Origins()
        self._lock = threading.Lock()
        self._by_function: dict[str, FunctionUrl] = {}

    def open(self, fn: Any) -> FunctionUrl:
        with self._lock:
            existing = self._by_function.get(fn.function_arn)
            if existing is not None:
                return existing
            url_id = uuid.uuid4().hex
            opened = FunctionUrl(self, url_id, fn.account_id, fn.region, fn.function_arn)
            self._by_function[fn.function_arn] = opened
            return opened

    def close(self, function_arn: str) -> None:
        with self._lock:
            opened = self._by_function.pop(function_arn, None)
        if opened is not None:
            opened.close()

    def close_all(self) -> None:
        with self._lock:
            opened, self._by_function = list(self._by_function.values()), {}
        for one in opened:
            one.close()

    def function(self, url: FunctionUrl) -> Any | None:
        from moto.awslambda.utils import get_backend

        try:
            fn = get_backend(url.account_id, url.region).get_function(url.function_arn)
        except Exception:
            return None
        return fn if getattr(fn, "url_config", None) is not None else None

    def handle(
        self,
        url: FunctionUrl,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        fn = self.function(url)
        if fn is None:
            return 404, [("Content-Type", "application/json")], b'{"Message":null}'
        auth_type = fn.url_config.config.get("AuthType") or "AWS_IAM"
        caller = None
        if auth_type == "AWS_IAM":
            host = next((v for k, v in headers if k.lower() == "host"), f"{self.host}:{url.port}")
            caller, why = verify(
                method, f"http://{host}{target}", dict(headers), body, sessions=self.sessions, origins=self.origins
            )
            if caller is None:
                log.info("localaws: function URL of %s refused: %s", fn.function_name, why)
                return 403, _DENIED, FORBIDDEN
        allowed, why = authorise(fn, auth_type, caller)
        if not allowed:
            log.info("localaws: function URL of %s refused: %s", fn.function_name, why)
            return 403, _DENIED, FORBIDDEN
        if len(body) > REQUEST_LIMIT:
            return 413, [("Content-Type", "application/json")], _TOO_LARGE
        raw_path, _, raw_query = target.partition("?")
        request_id = str(uuid.uuid4())
        payload = event(
            url.url_id,
            method=method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=body,
            source_ip=source_ip,
            account_id=fn.account_id,
            region=url.region,
            caller=caller,
            request_id=request_id,
        )
        try:
            outcome = self.execute(fn, json.dumps(payload).encode())
        except Throttled:
            return 429, [("Content-Type", "application/json")], b'{"Message":"Rate Exceeded."}'
        status, out_headers, data = response(outcome)
        return status, [*out_headers, ("x-amzn-RequestId", outcome.request_id)], data


def _handler(urls: FunctionUrls, url: FunctionUrl) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, data = urls.handle(
                    url, self.command, self.path, list(self.headers.items()), body, self.client_address[0]
                )
            except Exception:
                log.exception("localaws: function URL %s failed", url.url)
                status, headers, data = 502, [("Content-Type", "application/json")], b"Internal Server Error"
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    return Handler
