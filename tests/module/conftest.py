from __future__ import annotations

from collections.abc import Iterator

import pytest

from .planner import Planner, recorded


@pytest.fixture(scope="session")
def planners(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Planner]]:
    """One initialised working directory per module source, made on first use; their plans shared by the workers."""
    made: dict[str, Planner] = {}
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if base.name.startswith("popen-gw") else base) / "shared-plans"  # every xdist worker's

    class Lazy(dict):
        def __missing__(self, name: str) -> Planner:
            module = "." if name == "root" else f"modules/{name}"
            made[name] = self[name] = Planner(tmp_path_factory.mktemp(f"plan-{name}"), module, shared=shared)
            made[name].prefetch(recorded(module))  # what its tests will ask for, a batch to a Terraform run
            return made[name]

    yield Lazy()


@pytest.fixture(scope="session")
def root(planners) -> Planner:
    return planners["root"]


BASE = {
    "source_bucket": "photos",
    "destination_bucket": "thumbs",
    "account_id": "123456789012",
    "source_account": "111122223333",
    "destination_account": "444455556666",
}
