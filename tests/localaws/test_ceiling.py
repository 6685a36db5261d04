"""Where memory can be limited, and where it cannot: localaws says which (the limit itself is proven by
tests/localaws/test_runtime.py::test_above_its_memory_size_a_function_ends_as_lambda_reports_it)."""

from __future__ import annotations

import logging

from localaws import ceiling


def test_without_a_memory_cgroup_memory_is_not_enforced_and_it_says_so(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="localaws"):
        assert ceiling.find(tmp_path) is None
    assert "memory_size is not enforced here" in caplog.text
    assert list(tmp_path.iterdir()) == [], "nothing left behind"


def test_this_machine_enforces_it_in_a_cgroup_of_its_own_removed_at_the_end():
    found = ceiling.find()
    assert found is not None, "this machine mounts a writable memory cgroup; if yours does not, say so here"
    group = found.create(64)
    assert group.parent == found.parent and not found.oom_killed(group)
    ceiling.Ceiling.remove(group)
    ceiling.release(found)
    assert not found.parent.exists()
