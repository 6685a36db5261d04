"""The seam as a whole: the moto version its items are pinned against, and install/uninstall (localaws/seam)."""

from __future__ import annotations

from importlib.metadata import version

from localaws import seam
from localaws.seam import patch


def test_pinned_moto():
    assert version("moto") == "5.2.5", (
        "the seam is tested against moto 5.2.5: after an upgrade, run tests/localaws/seam and move each item whose "
        "pin fails with the new moto code"
    )


def test_install_replaces_and_uninstall_restores_moto():
    seam.install(object(), object(), lambda response, resource: None)  # type: ignore[arg-type]
    try:
        originals = dict(patch._ORIGINALS)
        assert len(originals) == 37, "26 seam items replace 37 attributes of moto's (and localaws's jobs)"
        assert all(getattr(owner, name) is not original for (owner, name), original in originals.items())
    finally:
        seam.uninstall()
    assert patch.replaced() == []
    assert all(getattr(owner, name) is original for (owner, name), original in originals.items())
