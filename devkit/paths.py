"""Repository paths named in prose: in the documents (README.md, docs/, the submodules' and examples' READMEs) and
in the comments and docstrings of the code (Python, Terraform, the Makefile, CI). `tests/docs/test_paths.py`
fails when one names a file or folder that does not exist, so a rename cannot leave a sentence pointing nowhere.

A path is a word that starts with one of the repository's top-level folders (`function/`, `tests/`, ...) or is
a top-level file (`main.tf`, `Makefile`); a pattern (`*`, `<name>`, `{a,b}`, `…`, `NAME`) is not checked. CHANGELOG.md
is history and keeps the names things had.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from devkit.figures import ROOT, documents

FOLDERS = ("function", "localaws", "devkit", "tests", "docs", "modules", "examples", "layer", "events", "benchmarks")
PATH = re.compile(r"(?<![\w./~$-])((?:" + "|".join(FOLDERS) + r"|\.ci)/[\w./*{}<>…-]*)")
PATTERN = re.compile(r"[*{}<>…]|\.\.\.|/\.\.|/[A-Z][A-Z_]*(?:[./]|$)")  # a glob, an ellipsis, a NAME


@dataclass(frozen=True)
class Mention:
    where: Path
    line: int
    path: str


def _paths(text: str, where: Path, first_line: int = 1) -> Iterator[Mention]:
    for number, line in enumerate(text.splitlines(), start=first_line):
        for match in PATH.finditer(line):
            path = match[1].rstrip(".,:;)'\"`")
            if not PATTERN.search(path):
                yield Mention(where, number, path)


def prose_of_python(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every comment and docstring of a Python file."""
    source = path.read_text()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    yield body[0].lineno, body[0].value.value


def prose_of_hash_comments(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every `#` comment of a Terraform file, the Makefile or a shell script."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if "#" in line:
            yield number, line[line.index("#") :]


def sources(root: Path) -> Iterator[Path]:
    """The project's Python and Terraform files, its Makefile and CI script (not virtualenvs, builds, downloads)."""
    skip = {".venv", ".venv-checkov", "build", ".build", ".terraform", ".git", "__pycache__", ".mypy_cache"}
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in skip and not f.endswith(".egg-info"))
        here = Path(directory)
        for name in sorted(files):
            if name.endswith((".py", ".tf")) or (here, name) in ((root, "Makefile"), (root / ".ci", "run")):
                yield here / name


def mentions(root: Path | None = None) -> list[Mention]:
    root = root or ROOT
    found: list[Mention] = []
    for document in documents(root):
        found += _paths(document.read_text(), document)
    for source in sources(root):
        prose = prose_of_python(source) if source.suffix == ".py" else prose_of_hash_comments(source)
        for line, text in prose:
            found += _paths(text, source, line)
    return found


def missing(root: Path | None = None) -> list[Mention]:
    root = root or ROOT
    return [m for m in mentions(root) if not (root / m.path).exists()]
