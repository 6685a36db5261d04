"""Import a submodule's build script (it lives beside the submodule's main.tf, not in a Python package)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from .planner import ROOT


def load(submodule: str, script: str) -> ModuleType:
    path = ROOT / "modules" / submodule / script
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
