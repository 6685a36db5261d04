"""The thumbnails command's own behaviour, without Terraform: what it reads from the function, the manifest it
streams, its dry runs, its exit statuses. The whole path (jobs, reports, resume, reconcile) is
tests/e2e/test_batch.py."""

from __future__ import annotations

import json

import pytest

from thumbnails import cli, manifests


def run(capsys, *args: str) -> tuple[int, dict, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith("{") else {"text": out}, err


def test_the_manifest_is_uploaded_in_parts_with_encoded_keys(client, deployed):
    names = deployed()
    s3 = client("s3")
    awkward = ["uploads/a b+c%d,e.jpg", 'uploads/ünï\n"q".jpg']
    padded = [f"uploads/{n:05d}-" + "x" * 1000 + ".jpg" for n in range(9000)]  # > 8 MiB: two parts
    lines = (manifests.line(names["source"], key) for key in awkward + padded)
    made = manifests.upload(s3, names["destination"], "batch-operations/manifests/m.csv", lines)
    assert made.count == len(awkward) + len(padded)
    assert made.etag.endswith("-2"), "uploaded in two parts"
    head = s3.get_object(Bucket=names["destination"], Key=made.key, Range="bytes=0-200")["Body"].read().decode()
    assert head.startswith(
        f"{names['source']},uploads/a%20b%2Bc%25d%2Ce.jpg\n{names['source']},uploads/%C3%BCn%C3%AF%0A%22q%22.jpg\n"
    )
    back = [key for _, key in manifests.manifest_lines(s3, names["destination"], made.key)]
    assert back == awkward + padded


def test_a_dry_run_counts_what_the_function_watches(client, deployed, capsys):
    names = deployed()
    for key in ["uploads/a.jpg", "uploads/sub/b.png", "uploads/c.txt", "elsewhere/d.jpg", "uploads/e.JPG"]:
        client("s3").put_object(Bucket=names["source"], Key=key, Body=b"x")
    code, summary, _ = run(capsys, "backfill", "--function", names["name"], "--dry-run", "--json")
    assert code == 0 and summary["objects"] == 2, "S3's suffix filter is case-sensitive: .JPG is not watched"
    assert summary["manifest"].startswith(f"s3://{names['destination']}/batch-operations/manifests/{names['name']}/")
    code, summary, _ = run(
        capsys, "backfill", "--function", names["name"], "--dry-run", "--json", "--prefix", "uploads/sub/"
    )
    assert (code, summary["objects"]) == (0, 1)
    assert client("s3").list_objects_v2(Bucket=names["destination"]).get("KeyCount", 0) == 0, "a dry run writes nothing"


def test_a_function_without_the_role_is_a_usage_error(deployed, capsys):
    names = deployed(role=False)
    code, _, err = run(capsys, "backfill", "--function", names["name"])
    assert code == 2 and "batch_operations = {}" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["backfill", "--function", "f", "--inventory", "manifest.json"], "--inventory must be an s3:// URI"),
        (["backfill", "--function", "f", "--resume", "j", "--prefix", "p"], "--resume takes the old job's manifest"),
        (["frobnicate", "--function", "f"], "invalid choice"),
        (["status"], "--function"),
    ],
)
def test_usage_errors_exit_2(capsys, args, message):
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    assert exited.value.code == 2 and message in capsys.readouterr().err


def test_a_function_the_module_did_not_deploy_is_named(client, capsys):
    code, _, err = run(capsys, "status", "--function", "no-such-function")
    assert code == 2 and "There is no function 'no-such-function'" in err


def test_status_counts_sources_and_thumbnails_per_size(client, deployed, capsys):
    names = deployed(sizes="256,64x64")
    s3 = client("s3")
    for key in ["uploads/a.jpg", "uploads/b.jpg", "uploads/c.txt"]:
        s3.put_object(Bucket=names["source"], Key=key, Body=b"x")
    for key in ["thumbnails/256/uploads/a.jpg", "thumbnails/1024/uploads/a.jpg", "thumbnails/1024/uploads/b.jpg"]:
        s3.put_object(Bucket=names["destination"], Key=key, Body=b"x")
    code, summary, err = run(capsys, "status", "--function", names["name"], "--json")
    assert code == 0 and summary["sources"]["objects"] == 2, err
    assert summary["thumbnails"]["per_size"] == {"256": 1, "64x64": 0, "1024": 2}
    code, text, _ = run(capsys, "status", "--function", names["name"])
    assert "thumbnails 1024: 2  (no longer configured: thumbnails reconcile removes them)" in text["text"]
