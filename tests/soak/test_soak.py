"""The soak's short version (devkit/soak.py; ``make soak`` runs it at full size): in each trigger mode, uploads,
overwrites and deletes under S3 SlowDown and InternalError, failed and killed invocations, then an S3 outage and
``thumbnails redrive`` -- and nothing lost, nothing stale, every failure visible, the function's counts adding up.
The real function on an in-process localaws: no Terraform, no layer build."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devkit.soak import MODES, Harness, Plan, endpoint
from localaws.server import LocalAWS

# One worker runs the three modes (and their shared outage), beside the rest of the suite on the other.
pytestmark = pytest.mark.xdist_group("soak")


@pytest.fixture(scope="module")
def aws(tmp_path_factory) -> Iterator[LocalAWS]:
    with endpoint(tmp_path_factory.mktemp("soak")) as running:
        yield running


def test_the_soak_loses_nothing_leaves_nothing_stale_and_redrive_brings_back_the_outage(aws):
    plans = [Plan(mode, uploads=100, overwrites=10, deletes=10, outage_uploads=5) for mode in MODES]
    soaks = Harness(aws).run_all(plans, log=print)
    for soak in soaks:
        mode, figures = soak.plan.mode, soak.figures
        assert soak.problems == [], f"{mode}: " + "\n".join(soak.problems) + f"\n{figures}"
        assert sum(figures["faults_injected"].values()) > 0, f"{mode}: faults were injected"
        assert figures["outage_failed_for_good"] >= 5, f"{mode}: the outage's events failed for good"
        assert figures["redrive"]["redriven"] == figures["outage_failed_for_good"], f"{mode}: and were redriven"
        assert figures["redrive_thumbnails"] == 100 - 10 + 5, f"{mode}: every live source has its thumbnail"
