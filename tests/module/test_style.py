"""The conventions of STYLE.md that a machine can check, for the root module and every submodule."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from devkit import docs, validate
from devkit.hcl import blocks

from .planner import ROOT

MODULES = [
    ROOT,
    *(p for p in sorted((ROOT / "modules").iterdir()) if p.is_dir()),
    *(p for p in sorted((ROOT / "examples").iterdir()) if (p / "main.tf").is_file()),
]
ATTRIBUTE_ORDER = ["type", "description", "default", "sensitive", "nullable", "validation"]


def terraform_files() -> list[str]:
    """Every .tf file of the project (not Terraform's downloads, not build output)."""
    found = [ROOT.glob("*.tf"), *(module.rglob("*.tf") for module in MODULES if module != ROOT)]
    return sorted(str(path) for paths in found for path in paths if ".terraform" not in path.parts)


def test_terraform_fmt_is_clean():
    files = terraform_files()
    assert {Path(file).parent for file in files} >= set(MODULES), "the root, every submodule and every example"
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-list=true", "-no-color", *files], capture_output=True, text=True
    )
    # 0: formatted; 3: some file is not; anything else (2: a file does not parse) is an error, never a pass
    assert done.returncode in (0, 3), f"terraform fmt failed ({done.returncode}): {done.stderr}"
    unformatted = done.stdout.splitlines()
    assert (done.returncode == 0) == (unformatted == []), done.stdout
    assert unformatted == [], f"run `make fmt` (terraform fmt -recursive): {unformatted}"


def test_terraform_fmt_fails_on_a_file_that_does_not_parse(tmp_path):
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_s3_bucket" "this" {\n')
    done = subprocess.run(["terraform", "fmt", "-check", "-list=true", str(broken)], capture_output=True, text=True)
    assert done.returncode not in (0, 3), "the check above would pass a file that does not parse"


# Collections whose null default means something no literal can say, and whose description says what: the root's
# filter_suffixes follow extra_formats; vpc = null is "not in a VPC", alarms = null "no alarms", database (and the
# function module's secret) = null "no catalogue".
DERIVED_WHEN_NULL = {
    "filter_suffixes",
    "vpc",
    "alarms",
    "database",
    "on_demand",
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


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)) or "root")
def test_variable_descriptions_are_one_or_two_sentences(module):
    """A user reads variables.tf in one sitting: the long explanation is in the README ("Inputs in detail")."""
    for name, body in blocks(module / "variables.tf", "variable"):
        description = docs._unquote(body.get("description", ""))
        assert sentences(description) <= 2 and len(description) <= 300, (
            f"{module.relative_to(ROOT)}/variables.tf: {name}'s description has {sentences(description)} sentences "
            f"and {len(description)} characters: keep one or two (at most 300 characters), the rest in the README"
        )


def test_a_long_description_is_seen():
    assert sentences("One. Two: (three). Four.") == 3 and sentences("Null: none; []: any key.") == 1


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


# The examples are validated by their plans (test_examples.py): a plan validates the configuration first, with every
# variable unknown, as `terraform validate` does, then plans it; validating them here as well was 30 s of CPU again.
@pytest.mark.parametrize(
    "directory",
    [d for d in validate.directories() if d.parent.name != "examples"],
    ids=lambda p: str(p.relative_to(ROOT)) or "root",
)
def test_terraform_validate(directory):
    assert validate.validate(directory) is None, f"terraform validate fails in {directory}"


def test_the_root_modules_opening_comment_names_every_trigger():
    """main.tf opens with what the module makes: it once said "the S3 trigger" when there were five."""
    [modes] = re.findall(r"contains\(\[([^]]*)\], var\.trigger\)", (ROOT / "variables.tf").read_text())
    lines = (ROOT / "main.tf").read_text().splitlines()
    opening = " ".join(line for line in lines[: next(i for i, x in enumerate(lines) if not x.startswith("#"))])
    missing = [mode for mode in re.findall(r'"[a-z0-9]+"', modes) if mode not in opening]
    assert len(re.findall(r'"[a-z0-9]+"', modes)) == 5 and not missing, f"main.tf's opening comment misses {missing}"
