"""Lambda's Runtime API as localaws serves it to an environment (localaws/runtimeapi.py), spoken to directly."""

from __future__ import annotations

import http.client
import json
import threading

from localaws.runtimeapi import PREFIX, Invocation, RuntimeAPI


def request(api: RuntimeAPI, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    connection = http.client.HTTPConnection(api.address, timeout=10)
    connection.request(method, PREFIX + path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_next_hands_out_the_invocation_and_the_response_finishes_it():
    api = RuntimeAPI()
    try:
        invocation = Invocation("req-1", b'{"a": 1}', "arn:aws:lambda:us-east-1:123456789012:function:f", 3.0)
        api.offer(invocation)
        status, headers, body = request(api, "GET", "/invocation/next")
        assert status == 200 and json.loads(body) == {"a": 1} and api.initialised.is_set()
        assert headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
        assert headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
        assert int(headers["Lambda-Runtime-Deadline-Ms"]) > 0 and headers["Lambda-Runtime-Trace-Id"].startswith("Root=")
        assert request(api, "POST", "/invocation/other/response", b"1")[0] == 400, "an unknown request ID"
        assert request(api, "POST", "/invocation/req-1/response", b'"fine"')[0] == 202
        assert invocation.done.is_set() and (invocation.body, invocation.error_type) == (b'"fine"', None)
        assert request(api, "POST", "/invocation/req-1/error", b"{}")[0] == 400, "it already has its result"
    finally:
        api.close()


def test_an_error_and_an_init_error_are_kept_with_their_type():
    api = RuntimeAPI()
    try:
        invocation = Invocation("req-2", b"{}", "arn", 3.0)
        api.offer(invocation)
        request(api, "GET", "/invocation/next")
        error = b'{"errorMessage": "no", "errorType": "ValueError", "stackTrace": []}'
        status = request(
            api, "POST", "/invocation/req-2/error", error, {"Lambda-Runtime-Function-Error-Type": "ValueError"}
        )[0]
        assert status == 202 and invocation.error_type == "ValueError" and invocation.body == error
        init = b'{"errorMessage": "Unable to import module", "errorType": "Runtime.ImportModuleError"}'
        headers = {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"}
        assert request(api, "POST", "/init/error", init, headers)[0] == 202
        assert api.init_error == (init, "Runtime.ImportModuleError") and api.ended.is_set()
    finally:
        api.close()


def test_closing_ends_a_waiting_next():
    api = RuntimeAPI()
    answers: list[int] = []
    waiting = threading.Thread(target=lambda: answers.append(request(api, "GET", "/invocation/next")[0]))
    waiting.start()
    api.initialised.wait(10)
    api.close()
    waiting.join(10)
    assert answers == [500], "the runtime is told to stop, not left hanging"
