"""`python -m devkit.stack EXAMPLE DIR`, what each example's README says to run on localaws."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devkit.stack import ROOT


def test_an_example_is_copied_and_pointed_at_the_endpoint(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "devkit.stack", "sqs", str(tmp_path / "stack"), "--endpoint", "http://127.0.0.1:4599"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    stack = Path(done.stdout.strip())
    assert stack == tmp_path / "stack" / "examples" / "sqs" and (stack / "main.tf").is_file()
    override = json.loads((stack / "localaws_override.tf.json").read_text())
    assert override["provider"]["aws"]["endpoints"][0]["s3"] == "http://127.0.0.1:4599"
    local = json.loads((stack / "localaws.auto.tfvars.json").read_text())
    assert local["layer_build_target"] == "host" and local["tls_only"] is False
    assert (tmp_path / "stack" / "modules" / "function" / "iam.tf").is_file(), "the module beside it (source ../..)"
