"""S3 Batch Operations on localaws (localaws/batchops): S3 Control's job API, LambdaInvoke jobs run through the
Lambda runtime, AWS's states, retries of TemporaryFailure, and the completion report in AWS's format."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import uuid
from urllib.parse import quote

import pytest

from .conftest import wait_for

ACCOUNT = "123456789012"  # moto's default account

# Answers each task by its key: "bad" can never succeed, "flaky" fails once, "slow" takes a while.
HANDLER = """
import json, os, time
from urllib.parse import unquote_plus

def handler(event, context):
    shared = os.environ["SHARED"]
    task = event["tasks"][0]
    key = unquote_plus(task["s3Key"])
    with open(os.path.join(shared, "events.jsonl"), "a") as out:
        out.write(json.dumps(event) + "\\n")
    if "slow" in key:
        time.sleep(0.3)
    if "bad" in key:
        code, text = "PermanentFailure", "not an image"
    elif "flaky" in key and not os.path.exists(os.path.join(shared, "flaked")):
        open(os.path.join(shared, "flaked"), "w").close()
        code, text = "TemporaryFailure", "try again"
    else:
        code, text = "Succeeded", "made " + key
    return {"invocationSchemaVersion": event["invocationSchemaVersion"], "treatMissingKeysAs": "PermanentFailure",
            "invocationId": event["invocationId"],
            "results": [{"taskId": task["taskId"], "resultCode": code, "resultString": text}]}
"""


def s3control(client):
    """S3 Control's client: botocore puts the account ID in front of the host, which no local name resolves."""
    control = client("s3control")

    def local_host(request, **_):
        request.url = request.url.replace(f"//{ACCOUNT}.", "//", 1)

    control.meta.events.register("before-sign.s3-control", local_host)
    return control


@pytest.fixture(scope="module")
def bucket(client) -> str:
    name = f"batch-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=name)
    return name


def batch_role(client, bucket: str, function_arn: str, *, invoke: bool = True, read: bool = True) -> str:
    iam = client("iam")
    name = f"batch-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "batchoperations.s3.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    statements = [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/reports/*"}]
    if invoke:
        statements.append({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": function_arn})
    if read:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": f"arn:aws:s3:::{bucket}/manifests/*",
            }
        )
    iam.put_role_policy(
        RoleName=name, PolicyName="batch", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    return arn


@pytest.fixture(scope="module")
def function(deploy, shared_module) -> str:
    return deploy(f"batch-{uuid.uuid4().hex[:8]}", HANDLER, env={"SHARED": str(shared_module)})


@pytest.fixture(scope="module")
def shared_module(aws):
    directory = aws.work_dir / "shared" / uuid.uuid4().hex
    directory.mkdir(parents=True)
    return directory


def manifest(client, bucket: str, keys: list[str], name: str | None = None) -> dict:
    body = "".join(f"{bucket},{quote(key, safe='/')}\n" for key in keys).encode()
    key = f"manifests/{name or uuid.uuid4().hex}.csv"
    etag = client("s3").put_object(Bucket=bucket, Key=key, Body=body)["ETag"].strip('"')
    return {
        "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
        "Location": {"ObjectArn": f"arn:aws:s3:::{bucket}/{key}", "ETag": etag},
    }


def create(client, bucket, function_arn, role_arn, the_manifest, *, version="2.0", **more) -> str:
    invoke = {"FunctionArn": function_arn, "InvocationSchemaVersion": version}
    if version == "2.0":
        invoke["UserArguments"] = {"run": "test"}
    return s3control(client).create_job(
        AccountId=ACCOUNT,
        ConfirmationRequired=more.pop("confirm", False),
        Operation={"LambdaInvoke": invoke},
        Report={
            "Bucket": f"arn:aws:s3:::{bucket}",
            "Prefix": "reports",
            "Format": "Report_CSV_20180820",
            "Enabled": True,
            "ReportScope": "AllTasks",
        },
        Manifest=the_manifest,
        Priority=10,
        RoleArn=role_arn,
        ClientRequestToken=uuid.uuid4().hex,
        **more,
    )["JobId"]


def finished(client, job_id: str, seconds: float = 60) -> dict:
    control = s3control(client)

    def done() -> bool:
        return control.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]["Status"] in (
            "Complete",
            "Failed",
            "Cancelled",
        )

    wait_for(done, f"job {job_id} to end", seconds)
    return control.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]


def read_report(client, bucket: str, job: dict) -> tuple[dict, list[list[str]]]:
    s3 = client("s3")
    top = json.loads(s3.get_object(Bucket=bucket, Key=f"reports/job-{job['JobId']}/manifest.json")["Body"].read())
    rows = []
    for result in top["Results"]:
        body = s3.get_object(Bucket=result["Bucket"], Key=result["Key"])["Body"].read()
        assert hashlib.md5(body).hexdigest() == result["MD5Checksum"]
        rows += list(csv.reader(io.StringIO(body.decode())))
    return top, rows


def test_a_job_invokes_the_function_for_every_key_and_reports_each_result(client, bucket, function, shared_module):
    keys = ["uploads/a cat + a dog.jpg", "uploads/100% ü.png", "uploads/bad.txt", "uploads/flaky.jpg"]
    role = batch_role(client, bucket, function)
    job = finished(client, create(client, bucket, function, role, manifest(client, bucket, keys)))

    assert job["Status"] == "Complete"
    assert job["ProgressSummary"]["TotalNumberOfTasks"] == 4
    assert job["ProgressSummary"]["NumberOfTasksSucceeded"] == 3  # flaky.jpg succeeded when tried again
    assert job["ProgressSummary"]["NumberOfTasksFailed"] == 1
    top, rows = read_report(client, bucket, job)
    assert top["Format"] == "Report_CSV_20180820"
    assert top["ReportSchema"] == "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"
    assert {r["TaskExecutionStatus"] for r in top["Results"]} == {"succeeded", "failed"}
    by_key = {row[1]: row for row in rows}
    assert by_key[quote("uploads/bad.txt")] == [
        bucket,
        "uploads/bad.txt",
        "",
        "failed",
        "200",
        "PermanentFailure",
        "not an image",
    ]
    cat = quote("uploads/a cat + a dog.jpg", safe="/")
    assert by_key[cat] == [bucket, cat, "", "succeeded", "200", "", "made uploads/a cat + a dog.jpg"]

    events = [json.loads(line) for line in (shared_module / "events.jsonl").read_text().splitlines()]
    mine = [e for e in events if e["job"]["id"] == job["JobId"]]
    assert len(mine) == 5  # four tasks, one tried twice
    assert {e["invocationSchemaVersion"] for e in mine} == {"2.0"}
    assert {e["job"]["userArguments"]["run"] for e in mine} == {"test"}
    assert {e["tasks"][0]["s3Bucket"] for e in mine} == {bucket}


def test_schema_1_0_names_the_bucket_by_arn(client, bucket, function, shared_module):
    role = batch_role(client, bucket, function)
    job = finished(client, create(client, bucket, function, role, manifest(client, bucket, ["a.jpg"]), version="1.0"))
    assert job["Status"] == "Complete"
    events = [json.loads(line) for line in (shared_module / "events.jsonl").read_text().splitlines()]
    (event,) = [e for e in events if e["job"]["id"] == job["JobId"]]
    assert event["tasks"][0]["s3BucketArn"] == f"arn:aws:s3:::{bucket}" and "s3Bucket" not in event["tasks"][0]


def test_an_inventory_manifest_is_read_from_its_files(client, bucket, function):
    s3 = client("s3")
    rows = "".join(f'"{bucket}","{quote(k, safe="/")}"\n' for k in ["inv/one.jpg", "inv/two words.jpg"])
    s3.put_object(Bucket=bucket, Key="manifests/inventory/data/1.csv.gz", Body=gzip.compress(rows.encode()))
    inventory = {
        "sourceBucket": bucket,
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key",
        "files": [{"key": "manifests/inventory/data/1.csv.gz", "size": 1, "MD5checksum": "x"}],
    }
    put = s3.put_object(Bucket=bucket, Key="manifests/inventory/manifest.json", Body=json.dumps(inventory).encode())
    the_manifest = {
        "Spec": {"Format": "S3InventoryReport_CSV_20161130"},
        "Location": {"ObjectArn": f"arn:aws:s3:::{bucket}/manifests/inventory/manifest.json", "ETag": put["ETag"]},
    }
    job = finished(client, create(client, bucket, function, batch_role(client, bucket, function), the_manifest))
    assert (job["Status"], job["ProgressSummary"]["NumberOfTasksSucceeded"]) == ("Complete", 2)


def test_a_manifest_the_role_may_not_read_or_whose_etag_differs_fails_the_job(client, bucket, function):
    the_manifest = manifest(client, bucket, ["a.jpg"])
    job = finished(
        client, create(client, bucket, function, batch_role(client, bucket, function, read=False), the_manifest)
    )
    assert job["Status"] == "Failed"
    assert job["FailureReasons"] == [
        {"FailureCode": "AccessDenied", "FailureReason": "Reading the manifest is forbidden: AccessDenied"}
    ]
    the_manifest["Location"]["ETag"] = "0" * 32
    job = finished(client, create(client, bucket, function, batch_role(client, bucket, function), the_manifest))
    assert job["Status"] == "Failed" and job["FailureReasons"][0]["FailureCode"] == "ManifestETagMismatch"


def test_a_role_batch_operations_may_not_assume_fails_the_job(client, bucket, function):
    arn = client("iam").create_role(RoleName=f"nobatch-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    job = finished(client, create(client, bucket, function, arn, manifest(client, bucket, ["a.jpg"])))
    assert job["Status"] == "Failed" and "may not assume" in job["FailureReasons"][0]["FailureReason"]


def test_a_role_that_may_not_invoke_fails_every_task(client, bucket, function):
    role = batch_role(client, bucket, function, invoke=False)
    job = finished(client, create(client, bucket, function, role, manifest(client, bucket, ["a.jpg", "b.jpg"])))
    assert job["ProgressSummary"]["NumberOfTasksFailed"] == 2
    _, rows = read_report(client, bucket, job)
    assert {(row[4], row[5]) for row in rows} == {("403", "AccessDenied")}


def test_a_cancelled_job_stops_and_reports_what_it_did(client, bucket, function):
    keys = [f"slow/{n}.jpg" for n in range(40)]
    role = batch_role(client, bucket, function)
    job_id = create(client, bucket, function, role, manifest(client, bucket, keys))
    control = s3control(client)
    wait_for(
        lambda: (
            control.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]["ProgressSummary"]["NumberOfTasksSucceeded"]
            >= 4
        ),
        "a few tasks done",
    )
    assert (
        control.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Cancelled")["Status"]
        == "Cancelling"
    )
    job = finished(client, job_id)
    assert job["Status"] == "Cancelled" and "TerminationDate" in job
    done = job["ProgressSummary"]["NumberOfTasksSucceeded"]
    assert 4 <= done < 40
    _, rows = read_report(client, bucket, job)
    assert len(rows) == done


def test_a_job_awaiting_confirmation_waits_until_ready(client, bucket, function):
    control = s3control(client)
    role = batch_role(client, bucket, function)
    job_id = create(client, bucket, function, role, manifest(client, bucket, ["a.jpg"]), confirm=True)
    wait_for(lambda: control.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]["Status"] == "Suspended", "Suspended")
    assert control.update_job_priority(AccountId=ACCOUNT, JobId=job_id, Priority=42)["Priority"] == 42
    listed = control.list_jobs(AccountId=ACCOUNT, JobStatuses=["Suspended"])["Jobs"]
    assert [(j["JobId"], j["Priority"], j["Operation"]) for j in listed] == [(job_id, 42, "LambdaInvoke")]
    control.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Ready")
    assert finished(client, job_id)["Status"] == "Complete"
    with pytest.raises(control.exceptions.ClientError) as refused:
        control.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Cancelled")
    assert refused.value.response["Error"]["Code"] == "JobStatusException"
    with pytest.raises(control.exceptions.NotFoundException):
        control.describe_job(AccountId=ACCOUNT, JobId="00000000-0000-0000-0000-000000000000")
