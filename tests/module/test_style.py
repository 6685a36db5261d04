"""The conventions of STYLE.md that a machine can check, for the root module and every submodule."""

from __future__ import annotations

import re
import subprocess

import pytest

from devkit import validate
from devkit.hcl import blocks

from .planner import ROOT

MODULES = [
    ROOT,
    *(p for p in sorted((ROOT / "modules").iterdir()) if p.is_dir()),
    *(p for p in sorted((ROOT / "examples").iterdir()) if (p / "main.tf").is_file()),
]
ATTRIBUTE_ORDER = ["type", "description", "default", "sensitive", "nullable", "validation"]


def test_terraform_fmt_is_clean():
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-list=true", str(ROOT)], capture_output=True, text=True
    )
    unformatted = [
        line for line in done.stdout.splitlines() if "/.terraform/" not in line and not line.startswith("build/")
    ]
    assert unformatted == [], f"run `make fmt` (terraform fmt -recursive): {unformatted}"


# Collections whose null default means something no literal can say, and whose description says what: the root's
# filter_suffixes follow extra_formats; vpc = null is "not in a VPC", alarms = null "no alarms", database (and the
# function module's secret) = null "no catalogue".
DERIVED_WHEN_NULL = {
    "filter_suffixes",
    "vpc",
    "alarms",
    "database",
    "secret",
    "batch_operations",
    "prebuilt",
    "package",
}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)) or "root")
def test_variables_are_sorted_typed_and_described(module):
    variables = blocks(module / "variables.tf", "variable")
    names = [name for name, _ in variables]
    assert names == sorted(names), f"{module}/variables.tf: keep variables in alphabetical order"
    for name, body in variables:
        assert "type" in body and not re.search(r"\bany\b", str(body["type"])), f"{name}: give it a type, not any"
        assert body.get("description"), f"{name}: describe it"
        present = [a for a in ATTRIBUTE_ORDER if a in body]
        assert present == [k for k in body if k in ATTRIBUTE_ORDER], (
            f"{name}: attributes in the order {ATTRIBUTE_ORDER}"
        )
        if str(body["type"]).startswith(("${list", "${map", "${set", "${object")) and name not in DERIVED_WHEN_NULL:
            assert body.get("nullable") is False, f"{name}: collections are nullable = false"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)) or "root")
def test_outputs_are_sorted_and_described(module):
    outputs = blocks(module / "outputs.tf", "output")
    names = [name for name, _ in outputs]
    assert names == sorted(names), f"{module}/outputs.tf: keep outputs in alphabetical order"
    assert all(body.get("description") for _, body in outputs)


def test_every_submodule_has_a_readme_and_its_build_script_beside_it():
    for module in (ROOT / "modules").iterdir():
        assert (module / "README.md").is_file(), f"{module.name} needs a README"
    assert (ROOT / "modules/layer/build_layer.py").is_file() and (ROOT / "modules/function/build_function.py").is_file()


@pytest.mark.parametrize("directory", validate.directories(), ids=lambda p: str(p.relative_to(ROOT)) or "root")
def test_terraform_validate(directory):
    assert validate.validate(directory) is None, f"terraform validate fails in {directory}"
