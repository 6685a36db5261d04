"""Execution environments (localaws/environment.py, kept by runtime.py): warm reuse of module state and /tmp,
Init Duration on a cold start only, /tmp limited to ephemeral_storage, and what ends an environment."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from moto.core import DEFAULT_ACCOUNT_ID

from devkit import figures

from ..bounds import seconds_for
from .conftest import wait_for, zipped
from .test_runtime import invoke, log_messages

COUNTER = """
import os
STARTS = []
KEPT = "/tmp/" + os.environ.get("KEPT", "kept")
def handler(event, context):
    STARTS.append(1)
    kept = os.path.exists(KEPT)
    open(KEPT, "w").close()
    return {"invocations": len(STARTS), "tmp_kept": kept}
"""


def warm(aws, name: str) -> list:
    """The function's warm environments (localaws's account and region)."""
    return aws.runtime.environments(f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT_ID}:function:{name}")


def reports(client, name: str) -> list[str]:
    return [line for line in log_messages(client, name) if line.startswith("REPORT ")]


def test_a_warm_environment_keeps_module_state_and_tmp_and_reports_init_once(client, deploy, aws):
    name = f"kept-{uuid.uuid4().hex}"
    deploy("counter", COUNTER, env={"KEPT": name})
    bodies, took = [], []
    for _ in range(3):
        started = time.perf_counter()
        bodies.append(invoke(client, "counter", {})[1])
        took.append((time.perf_counter() - started) * 1000)
    command = f"{figures.RECORDING}=1 .venv/bin/python -m pytest tests/localaws/test_environment.py"
    figures.timed("localaws_cold_invoke_ms", round(took[0], 1), "ms", f"{took[0]:.0f} ms", command)
    warm_ms = min(took[1:])
    figures.timed("localaws_warm_invoke_ms", round(warm_ms, 1), "ms", f"{warm_ms:.0f} ms", command)
    assert [b["invocations"] for b in bodies] == [1, 2, 3], "one environment served all three"
    assert [b["tmp_kept"] for b in bodies] == [False, True, True], "/tmp outlives an invocation"
    (env,) = warm(aws, "counter")
    assert [p.name for p in env.disk.path.iterdir()] == [name], "the literal /tmp is the environment's own"
    assert not Path("/tmp", name).exists(), "not the host's"
    lines = reports(client, "counter")
    assert len(lines) == 3 and ["Init Duration" in line for line in lines] == [True, False, False]


def test_a_configuration_or_code_update_retires_the_environment(client, deploy, aws):
    deploy("updated", COUNTER)
    lam = client("lambda")
    assert invoke(client, "updated", {})[1]["invocations"] == 1
    assert invoke(client, "updated", {})[1]["invocations"] == 2
    lam.update_function_configuration(FunctionName="updated", Environment={"Variables": {"NEW": "1"}})
    body = invoke(client, "updated", {})[1]
    assert (body["invocations"], body["tmp_kept"]) == (1, False), "new configuration: a new environment"
    assert invoke(client, "updated", {})[1]["invocations"] == 2, "which is warm in its turn"
    lam.update_function_code(FunctionName="updated", ZipFile=zipped({"index.py": COUNTER + "\n# v2\n"}))
    assert invoke(client, "updated", {})[1]["invocations"] == 1, "new code: a cold start"
    assert len(warm(aws, "updated")) == 1, "the retired environments are gone"


def test_an_idle_environment_is_stopped(client, deploy, aws):
    deploy("idler", COUNTER)
    assert invoke(client, "idler", {})[1]["invocations"] == 1
    runtime = aws.runtime
    before, runtime.idle_seconds = runtime.idle_seconds, 0.2
    try:
        assert invoke(client, "idler", {})[1]["invocations"] == 2
        kept = warm(aws, "idler")
        assert len(kept) == 1
        kept[0].process.wait(timeout=10)  # stopped by the reaper, not by us
        assert warm(aws, "idler") == []
    finally:
        runtime.idle_seconds = before
    assert invoke(client, "idler", {})[1]["invocations"] == 1, "after it: a cold start"


def test_tmp_is_limited_to_ephemeral_storage(client, deploy):
    code = """
import errno, os, shutil
def handler(event, context):
    total = shutil.disk_usage("/tmp").total
    written = 0
    try:
        with open("/tmp/big", "wb") as out:
            for _ in range(event["mb"]):
                out.write(b"x" * 1048576)  # ext4 reserves the blocks as it is written: ENOSPC comes here
                written += 1
    except OSError as exc:
        return {"total_mb": total // 1048576, "written_mb": written, "error": errno.errorcode[exc.errno]}
    finally:
        os.remove("/tmp/big")
    return {"total_mb": total // 1048576, "written_mb": written, "error": None}
"""
    # A bound from the work: writing the 600 MB here, now, through the same loop (a loaded machine writes slower),
    # and a whole vCPU (1,769 MB), so localaws's CPU share by memory does not slow the writes further.
    writes = "import tempfile\nwith tempfile.TemporaryFile() as f:\n    for _ in range(600): f.write(b'x' * 1048576)"
    deploy("disk", code, EphemeralStorage={"Size": 512}, memory=1769, timeout=seconds_for(writes))
    within = invoke(client, "disk", {"mb": 100})[1]
    assert within["error"] is None and within["written_mb"] == 100
    assert 512 <= within["total_mb"] <= 540, within
    beyond = invoke(client, "disk", {"mb": 600})[1]
    assert beyond["error"] == "ENOSPC" and 480 <= beyond["written_mb"] < 600, beyond


def test_a_timeout_ends_the_environment_and_the_next_invocation_starts_cold(client, deploy):
    sleepy = COUNTER.replace("STARTS.append(1)", "STARTS.append(1)\n    if event.get('sleep'):\n        time.sleep(5)")
    deploy("slow-once", "import time\n" + sleepy, timeout=1)
    assert invoke(client, "slow-once", {})[1]["invocations"] == 1
    response, body = invoke(client, "slow-once", {"sleep": True})
    assert body["errorType"] == "Sandbox.Timedout"
    assert invoke(client, "slow-once", {})[1]["invocations"] == 1, "a new environment"


def test_a_handler_that_does_not_import_fails_as_lambda_reports_an_init_error(client, deploy):
    deploy("broken", "import not_installed_anywhere\ndef handler(e, c):\n    return 1\n")
    response, body = invoke(client, "broken", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError", body
    assert "No module named 'not_installed_anywhere'" in body["errorMessage"]
    assert isinstance(body["stackTrace"], list) and set(body) == {
        "errorMessage",
        "errorType",
        "requestId",
        "stackTrace",
    }, body


def test_a_deleted_functions_environments_are_stopped(client, deploy, aws):
    deploy("short-lived", COUNTER)
    invoke(client, "short-lived", {})
    (env,) = warm(aws, "short-lived")
    client("lambda").delete_function(FunctionName="short-lived")
    wait_for(lambda: not env.disk.path.exists(), "the environment stopped and its /tmp given back")
    assert warm(aws, "short-lived") == [] and env.process.poll() is not None


def test_a_runtime_that_exits_ends_the_invocation_as_lambda_reports_it_and_the_next_starts_cold(client, deploy):
    deploy(
        "quitter",
        COUNTER.replace("STARTS.append(1)", "STARTS.append(1)\n    if event.get('quit'):\n        os._exit(3)"),
    )
    assert invoke(client, "quitter", {})[1]["invocations"] == 1
    response, body = invoke(client, "quitter", {"quit": True})
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 3"), body
    assert invoke(client, "quitter", {})[1]["invocations"] == 1, "a new environment"
