"""checkov (pinned in requirements-checkov.txt, installed by `make setup` in .venv-checkov) over everything the
repository ships: the root module, every submodule and every example. No failed check; where a check does not
fit, the skip is inline on the resource with a reason, never a blanket skip in a config file."""

from __future__ import annotations

import json
import subprocess

from .planner import ROOT

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def scan() -> dict:
    assert CHECKOV.is_file(), f"{CHECKOV} is missing: run `make setup` (it installs requirements-checkov.txt)"
    done = subprocess.run(
        [str(CHECKOV), "--directory", str(ROOT), "--framework", "terraform", "--output", "json", "--compact"]
        + [arg for path in ("build", ".venv", ".venv-checkov", "tests") for arg in ("--skip-path", path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip().startswith("{"), f"checkov did not report:\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def test_checkov_passes_everything_the_repository_ships():
    report = scan()
    failed = report["results"]["failed_checks"]
    assert not failed, "checkov failed (fix it, or skip it inline with a reason):\n" + "\n".join(
        f"  {f['check_id']} {f['check_name']}: {f['file_path']} {f['resource']}" for f in failed
    )
    scanned = {f["file_path"].split("/")[1] for f in report["results"]["passed_checks"]}
    assert {"modules", "examples"} <= scanned and report["summary"]["resource_count"] > 50
    skipped = report["results"]["skipped_checks"]
    unexplained = [s for s in skipped if len(s["check_result"].get("suppress_comment") or "") < 40]
    assert not unexplained, "every skip needs a reason a reviewer would accept: " + ", ".join(
        f"{s['check_id']} in {s['file_path']}" for s in unexplained
    )


def test_no_blanket_skips_in_a_config_file():
    for name in (".checkov.yaml", ".checkov.yml", ".checkov.json"):
        assert not (ROOT / name).exists(), f"{name}: skip checks inline on the resource, with a reason"
