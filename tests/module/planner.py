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

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tftest

from devkit.terraform import initialised, uninitialised

ROOT = Path(__file__).resolve().parents[2]
CASES = 25  # module calls one plan may hold: a BATCH, an error chunk (each call is a copy the one init installs)
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


class Shared:
    """What one worker planned, for every worker of the session: a plan is a function of the module's files and
    the arguments (offline, no refresh), so a configuration is planned once per session, whichever worker's test
    asks first; the other waits for it on a lock and reads it. (tftest's own cache keys on the working directory's
    path, which differs between workers and between clones, so it would plan each configuration once per worker.)
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.memory: dict[str, Any] = {}

    @staticmethod
    def digest(key: Any) -> str:
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        digest = self.digest(key)
        if digest not in self.memory:
            path = self.directory / f"{digest}.json"
            with open(self.directory / f"{digest}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not path.is_file():
                    self.put(key, make())
                self.memory[digest] = json.loads(path.read_text())
        return self.memory[digest]

    def put(self, key: Any, value: Any) -> None:
        """Written whole or not at all (a reader never sees half a plan)."""
        path = self.directory / f"{self.digest(key)}.json"
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(value))
        partial.replace(path)

    def has(self, key: Any) -> bool:
        return (self.directory / f"{self.digest(key)}.json").is_file()

    def once(self, keys: list[Any], make: Callable[[Any], None]) -> None:
        """``make(key)`` for each key not made yet, by whichever worker claims it first; a worker takes the keys
        no other holds, then waits for the rest."""
        waiting = []
        for key in keys:
            lock = open(self.directory / f"{self.digest(key)}.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting.append(lock)
                continue
            with lock:
                if not self.has(key):
                    make(key)
                    self.put(key, True)
        for lock in waiting:
            with lock:
                fcntl.flock(lock, fcntl.LOCK_EX)


class Planner:
    def __init__(
        self,
        workdir: Path,
        module: str = ".",
        extra: dict[str, Any] | None = None,
        shared: Path | None = None,
        cases: int = CASES,
    ) -> None:
        """``module``: the module's directory in the repository ("." for the root, "modules/layer"); ``shared``: a
        directory every worker of the session sees (plans made there are not made again); ``cases``: how many
        module calls a batch may hold (each is copied and installed by the one init)."""
        self.workdir = workdir
        self.module = module
        self.extra = extra or {}
        # Tests only read a plan; none may change it.
        self.shared = Shared(shared or workdir / "shared")
        self.batches: dict[str, list[Any]] = {}  # a configuration's digest -> its batch (prefetch)
        workdir.mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns("__pycache__", ".terraform*", "*.tfstate*")
        self.cases = cases
        calls = ["under_test", *(f"case_{i}" for i in range(cases))]
        for call in calls:
            for name in MODULE_FILES:
                source, target = ROOT / name, workdir / call / name
                if source.is_dir():
                    shutil.copytree(source, target, ignore=ignore)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
        self._write({call: {} for call in calls})
        self.tf = self._initialised()

    def _initialised(self) -> tftest.TerraformTest:
        """The working directory after ``terraform init``, run once per module (and calls) for the session: the
        first worker to get here runs it and keeps its ``.terraform`` (its modules listed by relative path, the
        provider linked from the plugin cache) and lock file in the shared store; the others copy them (0.7 s of CPU
        an init, one per module on each worker before)."""
        kept = self.shared.directory / f"init-{self.shared.digest(['init', self.module, self.extra, self.cases])}"
        with open(kept.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not kept.is_dir():
                tf = initialised(self.workdir)
                partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
                shutil.copytree(self.workdir / ".terraform", partial / ".terraform", symlinks=True)
                shutil.copy2(self.workdir / ".terraform.lock.hcl", partial)
                partial.replace(kept)
                return tf
        shutil.copytree(kept / ".terraform", self.workdir / ".terraform", symlinks=True)
        shutil.copy2(kept / ".terraform.lock.hcl", self.workdir)
        return uninitialised(self.workdir)

    def _write(
        self,
        calls: dict[str, dict[str, Any]],
        outputs: tuple[str, ...] = (),
        call_outputs: dict[str, Any] | None = None,
    ) -> None:
        """``outputs``: the module's outputs under_test's plan shows (as root outputs of the same name);
        ``call_outputs``: each call's, as ``<call>__<output>``."""
        config: dict[str, Any] = {
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
            "provider": {"aws": {**OFFLINE_PROVIDER, "endpoints": [{"cloudcontrol": cloudcontrol_endpoint()}]}},
            "module": {call: {"source": f"./{call}/{self.module}", **args} for call, args in calls.items()},
            **self.extra,
        }
        shown = {f"{call}__{name}": (call, name) for call, names in (call_outputs or {}).items() for name in names}
        shown |= {name: ("under_test", name) for name in outputs}
        if shown:
            config["output"] = {alias: {"value": f"${{module.{c}.{n}}}"} for alias, (c, n) in shown.items()}
        (self.workdir / "main.tf.json").write_text(json.dumps(config, indent=2))

    def _plan(self) -> tftest.TerraformPlanOutput:
        try:
            return self.tf.plan(output=True, refresh=False)
        except tftest.TerraformTestError as exc:
            raise PlanError(exc.cmd_error or str(exc)) from None

    def _key(self, outputs: tuple[str, ...], args: dict[str, Any]) -> list[Any]:
        return ["plan", self.module, self.extra, list(outputs), args, _files_named(args)]

    def plan(self, outputs: tuple[str, ...] = (), **args: Any) -> tftest.TerraformPlanOutput:
        def make() -> dict[str, Any]:
            self._write({"under_test": args}, outputs)
            return self._plan()._raw  # tftest keeps the plan's JSON there

        record(self.module, outputs, args)
        key = self._key(outputs, args)
        batch = self.batches.get(self.shared.digest(key))
        if batch is not None and not self.shared.has(key):
            self.shared.once([batch], self._plan_batch)
        return tftest.TerraformPlanOutput(self.shared.get(key, make))

    def prefetch(self, configurations: list[tuple[tuple[str, ...], dict[str, Any]]]) -> None:
        """Plan ``configurations`` (outputs, arguments) BATCH to a Terraform run (a plan of 25 module calls costs
        about what three plans of one do: most of a plan is starting the provider), into the shared store, where
        ``plan`` finds them. A batch is planned when a test first asks for one of its configurations, by whichever
        worker asks first, so the batches' cost is spread over the tests and the workers. A batch that fails to
        plan is left to ``plan``, one configuration at a time."""
        size = min(BATCH, self.cases)
        for n in range(0, len(configurations), size):
            batch = ["batch", self.module, self.extra, configurations[n : n + size]]
            for outputs, args in batch[-1]:
                self.batches[self.shared.digest(self._key(outputs, args))] = batch

    def _plan_batch(self, key: list[Any]) -> None:
        batch = key[-1]
        calls = {f"case_{i}": args for i, (_, args) in enumerate(batch)}
        self._write(calls, call_outputs={f"case_{i}": outputs for i, (outputs, _) in enumerate(batch)})
        try:
            raw = self._plan()._raw
        except PlanError:
            return
        for i, (outputs, args) in enumerate(batch):
            self.shared.put(self._key(outputs, args), one_call(raw, f"case_{i}", outputs))

    def plan_error(self, **args: Any) -> str:
        """The error text of a plan that must fail, folded onto one line for matching."""
        return self.plan_errors([args])[0]

    def plan_errors(self, cases: list[dict[str, Any]], rounds: list[int] | None = None) -> list[str]:
        """The folded error text of each configuration, which must all fail, planned together.

        Terraform reports some errors (a variable's own validation) before it evaluates others (a validation that
        reads another variable, a precondition), so the cases not yet answered are planned again until each has
        its errors. A case that answers nothing fails the test, naming its arguments. ``rounds``, when given, is
        filled with the Terraform run (1, 2, ...) that answered each case: its stage (error_chunks).
        """
        assert len(cases) <= self.cases, f"plan_errors takes at most {self.cases} cases at once"
        pending = dict(enumerate(cases))
        found: dict[int, list[str]] = {}
        answered_in = [0] * len(cases)
        run = 0
        while pending:
            run += 1
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
                if i in pending:
                    answered_in[i] = run
                pending.pop(i, None)
        if rounds is not None:
            rounds[:] = answered_in
        return [" ".join(found[i]) for i in range(len(cases))]


BATCH = 25
# The configurations each module's plan tests ask for, planned ahead in batches (Planner.prefetch). Regenerated by
# `rm tests/module/plans.json; REGENERATE_PLANS=1 .venv/bin/python -m pytest tests/module`; a stale list costs time,
# never a result: a configuration it lacks is planned when a test asks for it.
PLANS = Path(__file__).with_name("plans.json")


def recorded(module: str) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    entries = json.loads(PLANS.read_text()).get(module, []) if PLANS.is_file() else []
    return [(tuple(outputs), json.loads(json.dumps(args).replace(HERE, str(ROOT)))) for outputs, args in entries]


HERE = "{checkout}"  # the repository's path in plans.json: a clone elsewhere asks for the same files


def record(module: str, outputs: tuple[str, ...], args: dict[str, Any]) -> None:
    """With REGENERATE_PLANS=1, add a configuration a test asked for to plans.json (not one that names a file outside
    the repository: its path is a test's temporary one)."""
    if os.environ.get("REGENERATE_PLANS") != "1":
        return
    portable = json.loads(json.dumps(args).replace(str(ROOT), HERE))
    if _files_named(portable):
        return
    entry = [list(outputs), portable]

    def add(plans: dict[str, Any]) -> None:
        if entry not in plans.setdefault(module, []):
            plans[module].append(entry)
            plans["_regenerate"] = (
                "rm tests/module/plans.json; REGENERATE_PLANS=1 .venv/bin/python -m pytest tests/module"
            )

    _update_plans(add)


def _update_plans(change: Callable[[dict[str, Any]], None]) -> None:
    """Read plans.json, ``change`` it and write it back, one writer at a time (the workers regenerate it together)."""
    with open(PLANS, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        plans = json.loads(lock.read() or "{}")
        change(plans)
        lock.seek(0)
        lock.truncate()
        lock.write(json.dumps(dict(sorted(plans.items())), indent=1, sort_keys=True) + "\n")


def one_call(raw: dict[str, Any], call: str, outputs: tuple[str, ...]) -> dict[str, Any]:
    """The plan of one module call of a batch, as if it were planned alone as ``under_test``: its resource
    changes, its child module, the data sources it read while planning and its outputs, renamed."""
    prefix, renamed = f"module.{call}", "module.under_test"

    def rename(text: str) -> str:
        return renamed + text[len(prefix) :] if text == prefix or text.startswith(prefix + ".") else text

    def renamed_addresses(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: rename(v) if k in ("address", "module_address") else renamed_addresses(v) for k, v in value.items()
            }
        if isinstance(value, list):
            return [renamed_addresses(item) for item in value]
        return value

    changes = [renamed_addresses(c) for c in raw.get("resource_changes", []) if c["address"].startswith(prefix + ".")]
    planned = raw.get("planned_values", {})
    children = [
        renamed_addresses(child)
        for child in planned.get("root_module", {}).get("child_modules", [])
        if child.get("address") == prefix
    ]
    prior = raw.get("prior_state", {}).get("values", {}).get("root_module", {})  # the data sources read at plan
    prior_children = [renamed_addresses(m) for m in prior.get("child_modules", []) if m.get("address") == prefix]
    configuration = raw.get("configuration", {})
    root = configuration.get("root_module", {})
    calls = root.get("module_calls", {})
    configuration = {**configuration, "root_module": {**root, "module_calls": {"under_test": calls[call]}}}
    values = {name: planned.get("outputs", {}).get(f"{call}__{name}") for name in outputs}
    output_changes = {name: raw.get("output_changes", {}).get(f"{call}__{name}") for name in outputs}
    return {
        **{k: v for k, v in raw.items() if k not in ("resource_changes", "planned_values", "output_changes", "prior_state")},  # noqa: E501
        "configuration": configuration,
        "resource_changes": changes,
        "planned_values": {"outputs": {k: v for k, v in values.items() if v is not None},
                           "root_module": {"child_modules": children}},
        "output_changes": {k: v for k, v in output_changes.items() if v is not None},
        "prior_state": {"values": {"root_module": {"child_modules": prior_children}}},
    }  # fmt: skip


def _files_named(value: Any) -> list[str]:
    """The digest of every file, or folder's files, an argument names by absolute path: a test that edits a file
    between two plans of the same arguments gets a new plan."""
    found = []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found += _files_named(item)
    elif isinstance(value, str) and value.startswith("/") and Path(value).exists():
        path = Path(value)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        digest = hashlib.sha256()
        for file in files:
            digest.update(str(file).encode() + b"\0" + file.read_bytes())
        found.append(digest.hexdigest())
    return found


@functools.cache  # read at collection, once for each parametrised case
def error_stages(name: str) -> dict[str, int]:
    """The recorded stage of each failing case of ``name`` (plans.json's ``_error_stages``): the Terraform run that
    answered it (1: an error Terraform reports first; 2: one it reports only when there is no such error)."""
    return json.loads(PLANS.read_text()).get("_error_stages", {}).get(name, {}) if PLANS.is_file() else {}


def _case_key(override: dict[str, Any]) -> str:
    return json.dumps(json.loads(json.dumps(override).replace(str(ROOT), HERE)), sort_keys=True)


def error_chunks(name: str, overrides: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The failing cases of ``name``, in chunks of at most CASES planned together, each chunk of one stage: a case of
    a later stage in a chunk of an earlier one costs the chunk a second Terraform run (the planner replans the cases
    not yet answered), so 89 cases in chunks of 16 took 12 runs and by stage take 5. A case with no recorded stage
    counts as the first (a stale record costs a run, never a result)."""
    stages = error_stages(name)
    by_stage: dict[int, list[dict[str, Any]]] = {}
    for override in overrides:
        by_stage.setdefault(stages.get(_case_key(override), 1), []).append(override)
    chunks = []
    for stage in sorted(by_stage):
        cases = by_stage[stage]
        size = -(-len(cases) // -(-len(cases) // CASES))  # as even as chunks of at most CASES can be
        chunks += [cases[n : n + size] for n in range(0, len(cases), size)]
    return chunks


def record_stages(name: str, overrides: list[dict[str, Any]], rounds: list[int]) -> None:
    """With REGENERATE_PLANS=1, the stage of each case into plans.json's ``_error_stages``."""
    if os.environ.get("REGENERATE_PLANS") != "1":
        return

    def add(plans: dict[str, Any]) -> None:
        stages = plans.setdefault("_error_stages", {}).setdefault(name, {})
        stages.update({_case_key(o): stage for o, stage in zip(overrides, rounds, strict=True)})
        plans["_error_stages"][name] = dict(sorted(stages.items()))

    _update_plans(add)


def error_lookup(planner: Planner, name: str, base: dict[str, Any], overrides: list[dict[str, Any]]) -> Any:
    """``base`` with each override (all must fail), planned together in ``error_chunks``; returns override -> its
    folded error text.

    A chunk is planned once per session, by the worker whose test asks first (Planner.shared); ``error_group``
    keeps a chunk's tests on one worker, so the chunks, not the whole batch, are spread over the workers.
    """
    chunks = error_chunks(name, overrides)

    def lookup(override: dict[str, Any]) -> str:
        chunk = next(c for c in chunks if override in c)

        def make() -> dict[str, str]:
            rounds: list[int] = []
            texts = planner.plan_errors([{**base, **o} for o in chunk], rounds)
            # A chunk holds cases of one recorded stage: one answered in its second run is a stage later than that.
            stage = min(error_stages(name).get(_case_key(o), 1) for o in chunk)
            record_stages(name, chunk, [stage + answered - 1 for answered in rounds])
            return {json.dumps(o, sort_keys=True): text for o, text in zip(chunk, texts, strict=True)}

        return planner.shared.get(["errors", planner.module, base, chunk], make)[json.dumps(override, sort_keys=True)]

    return lookup


def error_group(name: str, overrides: list[dict[str, Any]], override: dict[str, Any]) -> pytest.MarkDecorator:
    """The xdist group of ``override``'s chunk in ``error_lookup``: its tests share one plan, on one worker."""
    chunks = error_chunks(name, overrides)
    return pytest.mark.xdist_group(f"{name}-{next(i for i, c in enumerate(chunks) if override in c)}")


def changes(plan: tftest.TerraformPlanOutput, address_suffix: str) -> dict[str, Any]:
    """The planned 'after' values of the one resource (or data source) whose address ends with the suffix."""
    found = [c["change"]["after"] for a, c in plan.resource_changes.items() if a.endswith(address_suffix)]
    if not found:  # a data source read while planning (all its arguments known) is in the prior state instead
        found = [
            r["values"]
            for r in _state_resources(plan._raw.get("prior_state", {}))
            if r["address"].endswith(address_suffix)
        ]
    assert len(found) == 1, f"expected one {address_suffix}, found {sorted(plan.resource_changes)}"
    return found[0]


def _state_resources(state: dict[str, Any]) -> list[dict[str, Any]]:
    modules, found = [state.get("values", {}).get("root_module", {})], []
    while modules:
        module = modules.pop()
        found += module.get("resources", [])
        modules += module.get("child_modules", [])
    return found
