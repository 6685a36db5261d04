"""The documentation's promises and the tests that keep them: in README.md and docs/*.md (and the submodules' and
examples' READMEs), a sentence that promises behaviour is followed by

    <!-- proof: tests/function/test_handler.py::test_name -->         a module-level test
    <!-- proof: tests/<dir>/test_<module>.py::TestClass::test_name -->  a test of a class
    <!-- untestable: the reason, in words -->                          a promise no test can keep

(several may follow one another; a parametrised test is named without its parameters). `tests/docs/test_claims.py`
fails when a named file or test does not exist. Tests are found by parsing the files (`ast`), never by importing
them.

    python -m devkit.claims   # every claim's proofs, by document
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from devkit.figures import ROOT, documents, prose

PROOF = re.compile(r"<!--\s*proof:\s*(?P<ref>.*?)\s*-->", re.S)
UNTESTABLE = re.compile(r"<!--\s*untestable:\s*(?P<reason>.*?)\s*-->", re.S)


@dataclass(frozen=True)
class Reference:
    document: Path
    line: int
    ref: str


def references(root: Path | None = None) -> list[Reference]:
    found = []
    for document in documents(root):
        text = prose(document.read_text())
        for match in PROOF.finditer(text):
            found.append(Reference(document, text.count("\n", 0, match.start()) + 1, match["ref"]))
    return found


def untestable(root: Path | None = None) -> list[Reference]:
    found = []
    for document in documents(root):
        text = prose(document.read_text())
        for match in UNTESTABLE.finditer(text):
            found.append(Reference(document, text.count("\n", 0, match.start()) + 1, match["reason"]))
    return found


@cache
def tests_in(path: Path) -> frozenset[str]:
    """Every test a file defines: `test_x` at module level, `TestY::test_x` in a class (nested classes too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                found.add(prefix + node.name)
            elif isinstance(node, ast.Assign):  # test_x = some_factory(...)
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.startswith("test"):
                        found.add(prefix + target.id)
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{prefix}{node.name}::")

    visit(tree.body, "")
    return frozenset(found)


def problem(reference: Reference, root: Path | None = None) -> str | None:
    """Why a reference names nothing, or None when it names a test that exists."""
    root = root or ROOT
    where = f"{reference.document.relative_to(root)}:{reference.line}"
    path, separator, test = reference.ref.partition("::")
    if not separator or not test:
        return f"{where}: proof {reference.ref!r} names no test: write `tests/<path>.py::test_name`"
    if not path.startswith("tests/") or not path.endswith(".py"):
        return f"{where}: proof {reference.ref!r} is not a file under tests/"
    file = root / path
    if not file.is_file():
        return f"{where}: proof {reference.ref!r}: {path} does not exist"
    test = re.sub(r"\[.*\]$", "", test)  # a parametrised test, by its base name
    if test not in tests_in(file):
        return f"{where}: proof {reference.ref!r}: {path} defines no test {test}"
    return None


def main(argv: list[str]) -> int:
    for reference in references():
        print(f"{reference.document.relative_to(ROOT)}:{reference.line}: {reference.ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
