"""The package layout's import rule (function/thumbnailer/__init__.py): the picture core knows no service and no
database, and the AWS glue never imports the catalogue.

Read twice: every import statement of the source (``ast``, lazy and ``TYPE_CHECKING`` ones included, followed
through the package's own modules), and what importing the modules really loads (a fresh interpreter in which
importing a service's library fails).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

FUNCTION = Path(__file__).resolve().parents[2] / "function"
PACKAGE = FUNCTION / "thumbnailer"
SERVICES = ("boto3", "botocore", "pymysql", "thumbnailer.aws", "thumbnailer.catalogue")


def module_name(path: Path, root: Path = FUNCTION) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = FUNCTION) -> set[str]:
    """Every module ``path`` imports, absolute (``from ..errors import X`` in thumbnailer/picture is
    ``thumbnailer.errors``, and ``thumbnailer.errors.X`` too, in case X is a module)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def source_of(module: str) -> Path | None:
    """The file of one of the package's own modules, or None for anything else."""
    relative = Path(*module.split("."))
    for candidate in (FUNCTION / relative.with_suffix(".py"), FUNCTION / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reached(start: list[Path]) -> dict[str, set[str]]:
    """Every module imported by ``start``, followed through the package's own modules: {module: the importers}."""
    seen: dict[str, set[str]] = {}
    todo = list(start)
    done: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in done:
            continue
        done.add(path)
        for module in imports(path):
            seen.setdefault(module, set()).add(module_name(path))
            if (source := source_of(module)) is not None:
                todo.append(source)
    return seen


def forbidden(seen: dict[str, set[str]], prefixes: tuple[str, ...]) -> dict[str, set[str]]:
    return {m: by for m, by in seen.items() if any(m == p or m.startswith(p + ".") for p in prefixes)}


def modules_of(package: str) -> list[Path]:
    return sorted((PACKAGE / package).glob("*.py"))


def test_the_layout_names_its_parts():
    """The folder a newcomer opens names the three parts and the modules that join them."""
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "picture",
        "aws",
        "catalogue",
    }
    assert {p.name for p in PACKAGE.glob("*.py")} == {
        "__init__.py",
        "errors.py",
        "keys.py",
        "ondemand.py",
        "pipeline.py",
        "settings.py",
    }
    for package in ("picture", "aws", "catalogue"):
        described = (PACKAGE / package / "__init__.py").read_text()
        for path in modules_of(package):
            if path.name != "__init__.py":
                assert f"``{path.stem}``" in described, f"{package}/__init__.py should name {path.stem}"


def test_the_picture_core_imports_no_service():
    """picture/ imports neither boto3, botocore, PyMySQL nor the AWS glue or the catalogue, directly or through
    another of the package's modules (thumbnailer.errors is the only one it may reach)."""
    seen = reached(modules_of("picture"))
    assert "PIL" in seen or "PIL.Image" in seen  # the reading works: the core's one real dependency is seen
    assert forbidden(seen, SERVICES) == {}
    own = {m for m in seen if m.startswith("thumbnailer.") and source_of(m) is not None}
    assert {m for m in own if not m.startswith("thumbnailer.picture")} <= {"thumbnailer.errors"}


def test_the_aws_glue_never_imports_the_catalogue():
    for path in modules_of("aws"):
        assert forbidden({m: {path.name} for m in imports(path)}, ("thumbnailer.catalogue", "pymysql")) == {}


def test_the_rule_would_see_a_breach(tmp_path: Path):
    """The reading above catches an import of each kind it forbids: plain, from, relative and lazy."""
    picture = tmp_path / "thumbnailer" / "picture"
    picture.mkdir(parents=True)
    body = (
        "import boto3\n"
        "from botocore.config import Config\n"
        "from ..aws import storage\n"
        "def later():\n"
        "    from ..catalogue.catalogue import Catalogue\n"
        "    import pymysql\n"
    )
    (picture / "bad.py").write_text(body)
    found = imports(picture / "bad.py", root=tmp_path)
    assert set(forbidden({m: set() for m in found}, SERVICES)) >= {
        "boto3",
        "botocore.config",
        "thumbnailer.aws",
        "thumbnailer.aws.storage",
        "thumbnailer.catalogue.catalogue",
        "pymysql",
    }


BLOCKED = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is blocked: the picture core must not need it")
        return None
sys.meta_path.insert(0, Block())
sys.path.insert(0, {function!r})
import importlib
for name in {modules!r}:
    importlib.import_module(name)
print(sorted(m for m in sys.modules if m.startswith({loaded!r})))
"""


@pytest.mark.parametrize(
    ("package", "blocked", "loaded"),
    [
        ("picture", ("boto3", "botocore", "pymysql"), ("thumbnailer.aws", "thumbnailer.catalogue")),
        ("aws", ("pymysql",), ("thumbnailer.catalogue",)),
    ],
)
def test_importing_a_part_loads_nothing_it_must_not(package: str, blocked: tuple[str, ...], loaded: tuple[str, ...]):
    """Every module of the part imports in an interpreter where the forbidden libraries cannot be imported, and
    leaves none of the forbidden parts of the package loaded."""
    modules = [module_name(p) for p in modules_of(package)]
    script = BLOCKED.format(blocked=blocked, function=str(FUNCTION), modules=modules, loaded=loaded)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert len(modules) >= 5  # the part's modules were found, so the imports above were real
