"""devkit/terraform.py: the environment every Terraform of the project's own runs with."""

from __future__ import annotations

from devkit import terraform


def test_terraform_runs_with_go_collecting_at_400_unless_the_caller_says(monkeypatch):
    monkeypatch.delenv("GOGC", raising=False)
    assert terraform.environment()["GOGC"] == "400"
    monkeypatch.setenv("GOGC", "100")
    assert terraform.environment()["GOGC"] == "100", "a value the caller set wins"
