"""Requests signed with a function's role session are authorised as AWS authorises them; every other caller keeps
full access. The session here is issued as localaws issues it to an execution environment (sessions.py)."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError

from localaws.runtime import LOCAL_RUNTIME

from ..bounds import seconds_for
from .conftest import zipped

ACCOUNT = "123456789012"
# One worker for the file: its tests share the module's role and stack, and the last reads what the others wrote.
pytestmark = pytest.mark.xdist_group("enforce")


@pytest.fixture(scope="module")
def names():
    tag = uuid.uuid4().hex[:8]
    return SimpleNamespace(
        role=f"enforced-{tag}", function=f"fn-{tag}", source=f"src-{tag}", dest=f"dst-{tag}", queue=f"q-{tag}"
    )


@pytest.fixture(scope="module")
def stack(aws, client, names):
    """A role shaped like the module's (read under uploads/, write thumbnails/, list with s3:prefix, all under
    s3:ResourceAccount), its buckets, a queue, a secret under a customer KMS key, and a session of the role."""
    s3, iam = client("s3"), client("iam")
    for bucket in (names.source, names.dest):
        s3.create_bucket(Bucket=bucket)
    key_id = client("kms").create_key()["KeyMetadata"]["KeyId"]
    secret = client("secretsmanager").create_secret(Name=f"db-{names.role}", SecretString="pw", KmsKeyId=key_id)
    queue_url = client("sqs").create_queue(QueueName=names.queue)["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{names.queue}"
    owner = {"StringEquals": {"s3:ResourceAccount": ACCOUNT}}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSources",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": f"arn:aws:s3:::{names.source}/uploads/*",
                "Condition": owner,
            },
            {
                "Sid": "WriteThumbnails",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{names.dest}/thumbnails/*",
                "Condition": owner,
            },
            {
                "Sid": "FindSources",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{names.source}",
                "Condition": {**owner, "StringLike": {"s3:prefix": "uploads/*"}},
            },
            {"Sid": "SendFailedEvents", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn},
            {
                "Sid": "ReadDatabaseSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret["ARN"],
            },
            {
                "Sid": "DecryptDatabaseSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}},
            },
        ],
    }
    role = iam.create_role(RoleName=names.role, AssumeRolePolicyDocument="{}")["Role"]
    iam.put_role_policy(RoleName=names.role, PolicyName="thumbnails", PolicyDocument=json.dumps(policy))
    fn = SimpleNamespace(
        account_id=ACCOUNT,
        region="us-east-1",
        function_name=names.function,
        role=role["Arn"],
        function_arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{names.function}",
    )
    session = aws.sessions.issue(fn)
    s3.put_object(Bucket=names.source, Key="uploads/cat.jpg", Body=b"cat")
    s3.put_object(Bucket=names.source, Key="private/cat.jpg", Body=b"cat")
    return SimpleNamespace(session=session, queue_url=queue_url, secret=secret["ARN"], key_id=key_id)


@pytest.fixture(scope="module")
def as_role(aws, stack):
    def make(service: str):
        return boto3.client(
            service,
            endpoint_url=aws.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=stack.session.access_key_id,
            aws_secret_access_key=stack.session.secret_access_key,
            aws_session_token=stack.session.session_token,
        )

    return make


def denied(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response


def test_the_session_is_the_role_named_for_the_function(as_role, stack, names):
    identity = as_role("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{names.role}/{names.function}"


def test_what_the_role_allows_is_allowed_and_recorded_with_its_statement(aws, as_role, names):
    s3 = as_role("s3")
    assert s3.get_object(Bucket=names.source, Key="uploads/cat.jpg")["Body"].read() == b"cat"
    s3.put_object(Bucket=names.dest, Key="thumbnails/256/uploads/cat.jpg", Body=b"t")
    assert s3.list_objects_v2(Bucket=names.source, Prefix="uploads/cat.jpg")["KeyCount"] == 1
    used = {(a.action, a.statement) for a in aws.access.entries() if a.function == names.function and a.allowed}
    assert {
        ("s3:GetObject", f"{names.role}:thumbnails#ReadSources"),
        ("s3:PutObject", f"{names.role}:thumbnails#WriteThumbnails"),
        ("s3:ListBucket", f"{names.role}:thumbnails#FindSources"),
    } <= used


def test_what_it_does_not_allow_is_access_denied_in_s3s_shape(as_role, names):
    s3 = as_role("s3")
    answer = denied(s3.get_object, Bucket=names.source, Key="private/cat.jpg")
    assert answer["Error"]["Code"] == "AccessDenied" and answer["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert denied(s3.put_object, Bucket=names.source, Key="uploads/x.jpg", Body=b"x")["Error"]["Code"] == "AccessDenied"
    assert denied(s3.list_objects_v2, Bucket=names.source, Prefix="private/")["Error"]["Code"] == "AccessDenied"
    assert denied(s3.list_objects_v2, Bucket=names.source)["Error"]["Code"] == "AccessDenied", "no s3:prefix"


def test_a_write_that_tags_also_needs_put_object_tagging_as_in_aws(as_role, client, names):
    """S3 asks for s3:PutObjectTagging as well when a PutObject carries tags (x-amz-tagging); the role here has
    s3:PutObject only, so the untagged write goes through and the tagged one is denied, nothing written."""
    s3 = as_role("s3")
    s3.put_object(Bucket=names.dest, Key="thumbnails/untagged.jpg", Body=b"t")
    answer = denied(s3.put_object, Bucket=names.dest, Key="thumbnails/tagged.jpg", Body=b"t", Tagging="team=web")
    assert answer["Error"]["Code"] == "AccessDenied"
    listed = client("s3").list_objects_v2(Bucket=names.dest, Prefix="thumbnails/tagged.jpg")
    assert listed["KeyCount"] == 0


def test_delete_objects_is_one_delete_object_per_key(as_role, client, names):
    client("s3").put_object(Bucket=names.dest, Key="other/x.jpg", Body=b"x")
    as_role("s3").put_object(Bucket=names.dest, Key="thumbnails/a.jpg", Body=b"a")
    answer = as_role("s3").delete_objects(
        Bucket=names.dest, Delete={"Objects": [{"Key": "thumbnails/a.jpg"}, {"Key": "other/x.jpg"}]}
    )
    assert {e["Key"] for e in answer.get("Errors", [])} >= {"other/x.jpg"}
    assert client("s3").get_object(Bucket=names.dest, Key="other/x.jpg")["Body"].read() == b"x"


def test_a_bucket_policy_that_denies_the_function_wins_over_its_role(as_role, client, names, stack):
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NotTheThumbnailer",
                "Effect": "Deny",
                "Principal": {"AWS": stack.session.role_arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{names.source}/*",
            }
        ],
    }
    client("s3").put_bucket_policy(Bucket=names.source, Policy=json.dumps(deny))
    try:
        answer = denied(as_role("s3").get_object, Bucket=names.source, Key="uploads/cat.jpg")
        assert answer["Error"]["Code"] == "AccessDenied"
        assert client("s3").get_object(Bucket=names.source, Key="uploads/cat.jpg")["Body"].read() == b"cat", (
            "other credentials keep full access"
        )
    finally:
        client("s3").delete_bucket_policy(Bucket=names.source)


def test_sqs_and_the_secret_under_its_key_via_secrets_manager(aws, as_role, stack, names):
    sqs = as_role("sqs")
    sqs.send_message(QueueUrl=stack.queue_url, MessageBody="failed")
    answer = denied(sqs.receive_message, QueueUrl=stack.queue_url)
    assert answer["Error"]["Code"] == "AccessDenied" and answer["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert as_role("secretsmanager").get_secret_value(SecretId=stack.secret)["SecretString"] == "pw"
    decrypt = [a for a in aws.access.entries() if a.function == names.function and a.action == "kms:Decrypt"]
    assert decrypt and decrypt[-1].allowed and decrypt[-1].statement.endswith("#DecryptDatabaseSecret")
    assert decrypt[-1].context == {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    ciphertext = as_role("kms") and boto3_encrypt(aws, stack.key_id)
    answer = denied(as_role("kms").decrypt, CiphertextBlob=ciphertext)
    assert answer["Error"]["Code"] == "AccessDeniedException", "a direct call carries no kms:ViaService"


def boto3_encrypt(aws, key_id: str) -> bytes:
    kms = boto3.client(
        "kms", endpoint_url=aws.endpoint_url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]


def test_the_record_is_written_where_the_tests_read_it(aws, names):
    from localaws.access import read

    written = [a for a in read(aws.access.path) if a.function == names.function]
    assert written and any(not a.allowed for a in written)


def test_a_function_calls_aws_as_its_role_and_lambda_delivers_its_logs_with_it(aws, client, names, stack):
    """A function whose role may only read the source: its own credentials are the role's session, an S3 write is
    AccessDenied inside it, and its logs are lost (Lambda writes them with the role, which may not)."""
    iam = client("iam")
    role = f"reader-{names.role}"
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{names.source}/*"}
    iam.put_role_policy(
        RoleName=role, PolicyName="read", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [read]})
    )
    code = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    s3 = boto3.client('s3')\n"
        "    body = s3.get_object(Bucket=event['bucket'], Key='uploads/cat.jpg')['Body'].read().decode()\n"
        "    try:\n"
        "        s3.put_object(Bucket=event['bucket'], Key='uploads/dog.jpg', Body=b'dog')\n"
        "    except Exception as exc:\n"
        "        return [body, exc.response['Error']['Code']]\n"
        "    return [body, 'written']\n"
    )
    client("lambda").create_function(
        FunctionName=f"reader-{names.function}",
        Runtime=LOCAL_RUNTIME,
        Role=arn,
        Handler="index.handler",
        Code={"ZipFile": zipped({"index.py": code})},
        # The CPU 128 MB buys (memory/1769 of a core, cpu.py) takes about 10 s to import boto3 here: this test is
        # about the role, so it gets a core, and time derived from what the function does on this machine now.
        MemorySize=1769,
        Timeout=seconds_for("import boto3; boto3.client('s3', region_name='us-east-1')"),
    )
    answer = client("lambda").invoke(
        FunctionName=f"reader-{names.function}", Payload=json.dumps({"bucket": names.source})
    )
    assert json.loads(answer["Payload"].read()) == ["cat", "AccessDenied"]
    groups = client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/reader-{names.function}")
    streams = [
        s
        for g in groups["logGroups"]
        for s in client("logs").describe_log_streams(logGroupName=g["logGroupName"])["logStreams"]
    ]
    assert streams == [], "no log stream: the role may not create one"
    by_lambda = [a for a in aws.access.entries() if a.function == f"reader-{names.function}" and a.caller == "lambda"]
    assert [(a.action, a.allowed) for a in by_lambda] == [("logs:CreateLogStream", False)]
