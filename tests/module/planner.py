"""Plan a module of this repository with tftest, offline, with no AWS account.

A throw-away root configuration (``main.tf.json``) holds a provider block that needs no credentials and module
calls with the arguments a test gives, rendered as JSON: Terraform reads ``.tf.json`` files natively, so no HCL is
templated. One working directory per module source is initialised once per session.

Each module call gets its own copy of the module's files (``./under_test``, ``./case_3``; 0.8 MB, the sources
and nothing else) and calls it by a relative path, which Terraform uses in place (an absolute path would be copied
again, repository and all) and names in its diagnostics. So an error tells which call it belongs to, and
``plan_errors`` plans many configurations that must fail in one Terraform run instead of one run each.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import tftest

from devkit.terraform import initialised

ROOT = Path(__file__).resolve().parents[2]
CASES = 64  # module calls plan_errors may use at once (each is installed by the one init)
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "modules", "function", "layer", "release")

# The notification configurations the offline Cloud Control answers with (the root module reads the source bucket's
# at plan); any other bucket exists and has none.
OTHER_TEAM_QUEUE = "arn:aws:sqs:us-east-1:111122223333:other-team"
NOTIFICATIONS: dict[str, dict[str, Any]] = {
    "shared-photos": {
        "QueueConfigurations": [{"Event": "s3:ObjectCreated:*", "Queue": OTHER_TEAM_QUEUE}],
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
    },
    "own-photos": {  # what an earlier apply of this module (function_name "Thumbs", account 123456789012) left
        "LambdaConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Function": "arn:aws:lambda:us-east-1:123456789012:function:Thumbs"}
        ]
    },
}


class _CloudControl(BaseHTTPRequestHandler):
    """GetResource for AWS::S3::Bucket, answered from NOTIFICATIONS: plans stay offline."""

    def do_POST(self) -> None:
        name = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["Identifier"]
        properties: dict[str, Any] = {"BucketName": name}
        if name in NOTIFICATIONS:
            properties["NotificationConfiguration"] = NOTIFICATIONS[name]
        description = {"Identifier": name, "Properties": json.dumps(properties)}
        body = json.dumps({"TypeName": "AWS::S3::Bucket", "ResourceDescription": description})
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


_cloudcontrol: ThreadingHTTPServer | None = None


def cloudcontrol_endpoint() -> str:
    """The offline Cloud Control of this process, started on first use."""
    global _cloudcontrol
    if _cloudcontrol is None:
        _cloudcontrol = ThreadingHTTPServer(("127.0.0.1", 0), _CloudControl)
        threading.Thread(target=_cloudcontrol.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{_cloudcontrol.server_address[1]}"


OFFLINE_PROVIDER = {
    "region": "us-east-1",
    "access_key": "plan-only",
    "secret_key": "plan-only",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": True,
    "skip_metadata_api_check": True,
    "skip_region_validation": True,
}
# Where a diagnostic names the call it belongs to: the call itself (module.case_3) or a file of its copy (case_3/...).
_CALL = re.compile(r"\b(case_\d+)\b")


class PlanError(AssertionError):
    pass


def folded(text: str) -> str:
    """Terraform's boxed, wrapped error text on one line, for matching."""
    return " ".join(text.replace("│", " ").split())


class Planner:
    def __init__(self, workdir: Path, module: str = ".", extra: dict[str, Any] | None = None) -> None:
        """``module``: the module's directory in the repository ("." for the root, "modules/layer")."""
        self.workdir = workdir
        self.module = module
        self.extra = extra or {}
        self.batches: dict[str, dict[str, str]] = {}  # error_lookup's answers
        workdir.mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", ".terraform*", "*.tfstate*")
        calls = ["under_test", *(f"case_{i}" for i in range(CASES))]
        for call in calls:
            for name in MODULE_FILES:
                source, target = ROOT / name, workdir / call / name
                if source.is_dir():
                    shutil.copytree(source, target, ignore=ignore)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
        self._write({call: {} for call in calls})
        self.tf = initialised(workdir)

    def _write(self, calls: dict[str, dict[str, Any]], outputs: tuple[str, ...] = ()) -> None:
        config: dict[str, Any] = {
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
            "provider": {"aws": {**OFFLINE_PROVIDER, "endpoints": [{"cloudcontrol": cloudcontrol_endpoint()}]}},
            "module": {call: {"source": f"./{call}/{self.module}", **args} for call, args in calls.items()},
            **self.extra,
        }
        if outputs:
            config["output"] = {name: {"value": f"${{module.under_test.{name}}}"} for name in outputs}
        (self.workdir / "main.tf.json").write_text(json.dumps(config, indent=2))

    def _plan(self) -> tftest.TerraformPlanOutput:
        try:
            return self.tf.plan(output=True, refresh=False)
        except tftest.TerraformTestError as exc:
            raise PlanError(exc.cmd_error or str(exc)) from None

    def plan(self, outputs: tuple[str, ...] = (), **args: Any) -> tftest.TerraformPlanOutput:
        self._write({"under_test": args}, outputs)
        return self._plan()

    def plan_error(self, **args: Any) -> str:
        """The error text of a plan that must fail, folded onto one line for matching."""
        return self.plan_errors([args])[0]

    def plan_errors(self, cases: list[dict[str, Any]]) -> list[str]:
        """The folded error text of each configuration, which must all fail, planned together.

        Terraform reports some errors (a variable's own validation) before it evaluates others (a validation that
        reads another variable, a precondition), so the cases not yet answered are planned again until each has
        its errors. A case that answers nothing fails the test, naming its arguments.
        """
        assert len(cases) <= CASES, f"plan_errors takes at most {CASES} cases at once"
        pending = dict(enumerate(cases))
        found: dict[int, list[str]] = {}
        while pending:
            self._write({f"case_{i}": args for i, args in pending.items()})
            try:
                self._plan()
            except PlanError as exc:
                errors = str(exc).split("Error: ")[1:]
            else:
                raise AssertionError(f"the plans with {list(pending.values())} were expected to fail and did not")
            answered = {}
            for error in errors:
                calls = set(_CALL.findall(error))
                if len(calls) == 1:
                    answered.setdefault(int(calls.pop().removeprefix("case_")), []).append(folded(error))
            if not answered:
                raise AssertionError(f"the plans with {list(pending.values())} failed with no error of their own")
            for i, texts in answered.items():
                found[i] = texts
                pending.pop(i, None)
        return [" ".join(found[i]) for i in range(len(cases))]


def error_lookup(planner: Planner, base: dict[str, Any], overrides: list[dict[str, Any]]) -> Any:
    """Plan ``base`` with each override (all must fail) together; returns override -> its folded error text.

    Planned once per planner (that is, per worker): pytest may set a module's fixtures up more than once.
    """
    key = json.dumps([base, overrides], sort_keys=True)
    if key not in planner.batches:
        cases = [{**base, **override} for override in overrides]
        texts = [text for start in range(0, len(cases), 64) for text in planner.plan_errors(cases[start : start + 64])]
        planner.batches[key] = {json.dumps(o, sort_keys=True): text for o, text in zip(overrides, texts, strict=True)}
    by_case = planner.batches[key]
    return lambda override: by_case[json.dumps(override, sort_keys=True)]


def changes(plan: tftest.TerraformPlanOutput, address_suffix: str) -> dict[str, Any]:
    """The planned 'after' values of the one resource (or data source) whose address ends with the suffix."""
    found = [c for a, c in plan.resource_changes.items() if a.endswith(address_suffix)]
    assert len(found) == 1, f"expected one {address_suffix}, found {sorted(plan.resource_changes)}"
    return found[0]["change"]["after"]
