"""README.md against the repository: its layout names every directory under modules/ and examples/, and every
Python version it names is one the module's runtime validation admits (and it names them all)."""

from __future__ import annotations

import re
from pathlib import Path

from devkit.hcl import blocks

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def layout() -> str:
    text = README.read_text()
    start = text.index("\n## Layout\n")
    return text[start : text.find("\n## ", start + 1) if "\n## " in text[start + 1 :] else len(text)]


def admitted_runtimes() -> set[str]:
    """The runtimes modules/function's validation of `runtime` admits."""
    (body,) = [b for name, b in blocks(ROOT / "modules" / "function" / "variables.tf", "variable") if name == "runtime"]
    return set(re.findall(r"python3\.\d+", str(body["validation"])))


def test_the_layout_names_every_module_and_example():
    section = layout()
    modules = sorted(p.name for p in (ROOT / "modules").iterdir() if p.is_dir())
    missing = [f"modules/{m}/" for m in modules if f"modules/{m}/" not in section]
    examples = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())
    (line,) = [line for line in section.splitlines() if line.startswith("examples/")]
    listed = line + " ".join(section.split(line, 1)[1].splitlines()[:2])
    missing += [f"examples/{e}" for e in examples if not re.search(rf"\b{re.escape(e)}\b", listed)]
    assert missing == [], f"README.md's Layout section does not name {missing}: add a line for each"


def test_the_python_versions_the_readme_names_are_the_modules():
    admitted = admitted_runtimes()
    assert admitted >= {"python3.10", "python3.14"}, admitted
    text = README.read_text()
    named = set(re.findall(r"python3\.\d+", text))
    assert named <= admitted, f"README.md names {sorted(named - admitted)}, which runtime does not admit"
    ordered = sorted(admitted, key=lambda v: int(v.split(".")[1]))
    lowest, highest = ordered[0], ordered[-1]
    ranges = re.findall(r"(python3\.\d+) (?:to|–|-) (python3\.\d+)", text)
    wrong = [r for r in ranges if r != (lowest, highest)]
    assert ranges and wrong == [], f"README.md gives the runtimes as {wrong}; the module admits {lowest} to {highest}"
