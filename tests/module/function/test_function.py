"""modules/function: byte-identical packaging, what is packaged, and the function's settings."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

from ..planner import ROOT, changes
from ..scripts import load

build_function = load("function", "build_function.py")


def sources(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (src / "pkg" / "core.py").write_text("X = 1\n")
    for junk in (
        "pkg/__pycache__/core.cpython-311.pyc",
        "tests/test_app.py",
        ".env",
        "pkg/test_core.py",
        "conftest.py",
        "pkg/.hidden/file.py",
    ):
        (src / junk).parent.mkdir(parents=True, exist_ok=True)
        (src / junk).write_text("not packaged")
    return src


def test_zip_is_byte_identical_whatever_the_timestamps_and_permissions(tmp_path):
    src = sources(tmp_path)
    files = ["pkg/core.py", "app.py"]
    first = tmp_path / "one.zip"
    build_function.write_zip(src, files, first)
    os.utime(src / "app.py", (1_700_000_000, 1_700_000_000))
    os.chmod(src / "pkg" / "core.py", 0o600)
    copy = tmp_path / "elsewhere"
    shutil.copytree(src, copy)
    second = tmp_path / "two.zip"
    build_function.write_zip(copy, files, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["app.py", "pkg/core.py"]
        assert {(i.date_time, i.external_attr >> 16) for i in archive.infolist()} == {((1980, 1, 1, 0, 0, 0), 0o100644)}


ACCOUNT = "123456789012"  # given, so the plan needs no STS call


def test_only_sources_are_packaged_and_hashed(planners, tmp_path):
    src = sources(tmp_path)
    plan = planners["function"].plan(
        outputs=("source_hash", "zip_path"),
        function_name="Thumbs",
        account_id=ACCOUNT,
        source_dir=str(src),
        read_access={"bucket": "in"},
        write_access={"bucket": "out", "prefix": "t/"},
    )
    package = changes(plan, "terraform_data.package[0]")
    assert package["input"]["zip"] == plan.outputs["zip_path"] == package["triggers_replace"], (
        "the ZIP path names the function and the content: either changing rebuilds it"
    )
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    lines = [
        f"app.py {digest(src / 'app.py')}",
        f"pkg/core.py {digest(src / 'pkg/core.py')}",
        f"build_function.py {digest(ROOT / 'modules/function/build_function.py')}",
    ]
    assert plan.outputs["source_hash"] == hashlib.sha256("\n".join(lines).encode()).hexdigest()
    assert changes(plan, "aws_lambda_function.this")["source_code_hash"] == plan.outputs["source_hash"]


def test_function_settings_and_layer_order(planners, tmp_path):
    layers = [f"arn:aws:lambda:us-east-1:111122223333:layer:l{i}:1" for i in range(3)]
    plan = planners["function"].plan(
        function_name="Thumbs",
        account_id=ACCOUNT,
        source_dir=str(sources(tmp_path)),
        layers=layers,
        memory_size=2048,
        ephemeral_storage_size=4096,
        timeout=120,
        reserved_concurrent_executions=5,
        architecture="arm64",
        read_access={"bucket": "in", "prefix": "up/"},
        write_access={"bucket": "out"},
        tags={"team": "media"},
    )
    fn = changes(plan, "aws_lambda_function.this")
    assert fn["layers"] == layers, "order is kept: Lambda extracts layers in order, a later file wins"
    assert (fn["memory_size"], fn["ephemeral_storage"], fn["timeout"]) == (2048, [{"size": 4096}], 120)
    assert fn["reserved_concurrent_executions"] == 5 and fn["architectures"] == ["arm64"]
    assert fn["tags"] == {"team": "media"}
    policy = {s["sid"]: s for s in changes(plan, "data.aws_iam_policy_document.lambda")["statement"]}
    assert policy["ReadSources"]["resources"] == ["arn:aws:s3:::in/up/*"]
    assert policy["WriteThumbnails"]["resources"] == ["arn:aws:s3:::out/*"]
    trust = json.loads(changes(plan, "aws_iam_role.lambda[0]")["assume_role_policy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}, "Lambda alone may take the role"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}, "for this account only"


def test_too_many_layers_fail_at_plan(planners, tmp_path):
    error = planners["function"].plan_error(
        function_name="Thumbs",
        account_id=ACCOUNT,
        source_dir=str(sources(tmp_path)),
        layers=[f"arn:l:{i}" for i in range(6)],
        read_access={"bucket": "in"},
        write_access={"bucket": "out"},
    )
    assert "layers may hold at most 5 layer ARNs (the Lambda limit); got 6." in error
