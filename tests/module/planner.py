"""Plan a module of this repository with tftest, offline, with no AWS account.

A throw-away root configuration (``main.tf.json``) holds a provider block that needs no credentials and one
``module "under_test"`` call with the arguments a test gives, rendered as JSON: Terraform reads ``.tf.json``
files natively, so no HCL is templated. One working directory per module source is initialised once per session.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tftest

from devkit.terraform import initialised

ROOT = Path(__file__).resolve().parents[2]

OFFLINE_PROVIDER = {
    "region": "us-east-1",
    "access_key": "plan-only",
    "secret_key": "plan-only",
    "skip_credentials_validation": True,
    "skip_requesting_account_id": True,
    "skip_metadata_api_check": True,
    "skip_region_validation": True,
}


class PlanError(AssertionError):
    pass


class Planner:
    def __init__(self, workdir: Path, module_source: Path, extra: dict[str, Any] | None = None) -> None:
        self.workdir = workdir
        self.source = module_source
        self.extra = extra or {}
        workdir.mkdir(parents=True, exist_ok=True)
        self._write({})
        self.tf = initialised(workdir)

    def _write(self, args: dict[str, Any], outputs: tuple[str, ...] = ()) -> None:
        config: dict[str, Any] = {
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
            "provider": {"aws": OFFLINE_PROVIDER},
            "module": {"under_test": {"source": str(self.source), **args}},
            **self.extra,
        }
        if outputs:
            config["output"] = {name: {"value": f"${{module.under_test.{name}}}"} for name in outputs}
        (self.workdir / "main.tf.json").write_text(json.dumps(config, indent=2))

    def plan(self, outputs: tuple[str, ...] = (), **args: Any) -> tftest.TerraformPlanOutput:
        self._write(args, outputs)
        try:
            return self.tf.plan(output=True, refresh=False)
        except tftest.TerraformTestError as exc:
            raise PlanError("\n".join(str(a) for a in exc.args)) from None

    def plan_error(self, **args: Any) -> str:
        """The error text of a plan that must fail, folded onto one line for matching."""
        try:
            self.plan(**args)
        except PlanError as exc:
            return " ".join(str(exc).replace("│", " ").split())
        raise AssertionError(f"the plan with {args} was expected to fail and did not")


def changes(plan: tftest.TerraformPlanOutput, address_suffix: str) -> dict[str, Any]:
    """The planned 'after' values of the one resource (or data source) whose address ends with the suffix."""
    found = [c for a, c in plan.resource_changes.items() if a.endswith(address_suffix)]
    assert len(found) == 1, f"expected one {address_suffix}, found {sorted(plan.resource_changes)}"
    return found[0]["change"]["after"]
