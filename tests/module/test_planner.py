"""tests/module/planner.py: a configuration planned ahead in a batch of module calls reads exactly as if it were
planned alone, and a batch that fails to plan leaves its configurations to be planned one by one."""

from __future__ import annotations

import json
from pathlib import Path

from . import planner
from .planner import Planner, _state_resources

FN = {"function_name": "Thumbs", "function_arn": "arn:aws:lambda:us-east-1:111122223333:function:Thumbs"}
A = ((), {"bucket": "photos", "source_account": "111122223333", **FN})
B = (("permission_statement_id",), {"bucket": "my.photos", "source_account": "111122223333", "filter_prefix": "", **FN})


def seen(plan) -> dict:
    return {
        "changes": {address: change["change"]["after"] for address, change in plan.resource_changes.items()},
        "outputs": {name: value for name, value in plan.outputs.items()},
        "module": plan["configuration"]["root_module"]["module_calls"]["under_test"]["module"]["resources"],
        "read": sorted(
            (r["address"], json.dumps(r["values"], sort_keys=True))
            for r in _state_resources(plan._raw.get("prior_state", {}))
        ),
    }


def test_a_batched_plan_reads_as_the_plan_of_that_configuration_alone(tmp_path: Path):
    ahead = Planner(tmp_path / "ahead", "modules/s3-trigger", shared=tmp_path / "ahead-shared", cases=3)
    alone = Planner(tmp_path / "alone", "modules/s3-trigger", shared=tmp_path / "alone-shared", cases=0)
    failing = ((), {"bucket": "x", "source_account": "not-an-account", **FN})
    ahead.prefetch([A, B, failing])
    assert not ahead.shared.has(ahead._key(*A)), "a batch is planned when a test first asks for it"
    ahead.shared.once([ahead.batches[ahead.shared.digest(ahead._key(*A))]], ahead._plan_batch)
    assert not ahead.shared.has(ahead._key(*A)), "a failing batch stores nothing"
    ahead.prefetch([A, B])
    ahead.plan(*A[:1], **A[1])
    assert ahead.shared.has(ahead._key(*B)), "asking for A planned its whole batch, B with it"
    for outputs, args in (A, B):
        batched, single = ahead.plan(outputs, **args), alone.plan(outputs, **args)
        assert seen(batched) == seen(single)
        assert all(address.startswith("module.under_test.") for address in batched.resource_changes)
    assert seen(ahead.plan(*B[:1], **B[1]))["outputs"]["permission_statement_id"], "the output is there"


def test_failing_cases_are_chunked_by_their_recorded_stage(monkeypatch):
    """Each chunk holds cases of one stage (one Terraform run answers them all), at most CASES of them, as evenly as
    that allows; a case with no recorded stage counts as the first."""
    cases = [{"n": n} for n in range(60)]
    stages = {planner._case_key(c): 2 for c in cases[:27]} | {planner._case_key(cases[59]): 1}
    monkeypatch.setattr(planner, "error_stages", lambda name: stages if name == "some-errors" else {})
    chunks = planner.error_chunks("some-errors", cases)
    assert [len(c) for c in chunks] == [17, 16, 14, 13], "33 of the first stage, then 27 of the second"
    assert chunks[0][0] == {"n": 27} and chunks[2][0] == {"n": 0}
    assert sorted(n["n"] for c in chunks for n in c) == list(range(60)), "every case once"
    assert all(len(c) <= planner.CASES for c in planner.error_chunks("unrecorded", cases))


def test_a_module_is_initialised_once_and_another_workers_planner_copies_it(tmp_path: Path, monkeypatch):
    """Two planners of one module sharing a store (two xdist workers): the first runs terraform init, the second
    copies its working directory's .terraform and lock file, runs no init, and Terraform runs with them."""
    shared = tmp_path / "shared"
    first = Planner(tmp_path / "first", "modules/s3-trigger", shared=shared, cases=0)

    def no_init(directory: Path):
        raise AssertionError(f"terraform init ran again in {directory}")

    monkeypatch.setattr(planner, "initialised", no_init)
    second = Planner(tmp_path / "second", "modules/s3-trigger", shared=shared, cases=0)
    modules = Path(".terraform/modules/modules.json")
    assert (second.workdir / modules).read_text() == (first.workdir / modules).read_text()
    assert (second.workdir / ".terraform.lock.hcl").read_text() == (first.workdir / ".terraform.lock.hcl").read_text()
    second._write({"under_test": A[1]})
    validated = json.loads(second.tf.execute_command("validate", "-json").out)  # the module and the provider found
    assert validated["valid"] and validated["error_count"] == 0, validated
