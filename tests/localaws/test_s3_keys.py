"""S3's key limit on localaws (seam item 26, localaws/seam/s3_keys.py): over 1,024 bytes of UTF-8 is KeyTooLongError."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree

import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope="module")
def bucket(client):
    name = f"keys-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=name)
    return name


def refused(call) -> dict:
    with pytest.raises(ClientError) as error:
        call()
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error.value.response["Error"]


def test_1024_bytes_is_a_key_and_1025_is_too_long_whatever_the_operation(client, bucket):
    s3 = client("s3")
    fits = "ü" * 512  # 1,024 bytes in UTF-8, 512 characters
    s3.put_object(Bucket=bucket, Key=fits, Body=b"x")
    assert s3.get_object(Bucket=bucket, Key=fits)["Body"].read() == b"x"
    long = "ü" * 512 + "a"  # 1,025 bytes: counted in bytes, not characters
    error = refused(lambda: s3.put_object(Bucket=bucket, Key=long, Body=b"x"))
    assert (error["Code"], error["Message"]) == ("KeyTooLongError", "Your key is too long")
    assert (error["Size"], error["MaxSizeAllowed"]) == ("1025", "1024")
    error = refused(lambda: s3.copy_object(Bucket=bucket, Key=long, CopySource={"Bucket": bucket, "Key": fits}))
    assert error["Code"] == "KeyTooLongError"
    error = refused(lambda: s3.create_multipart_upload(Bucket=bucket, Key="k" * 2000))
    assert (error["Code"], error["Size"]) == ("KeyTooLongError", "2000")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [fits], "nothing else was stored"


def test_the_body_is_s3s_xml(aws, bucket):
    request = urllib.request.Request(f"{aws.endpoint_url}/{bucket}/{'k' * 1100}", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 400 and answer.value.headers["Content-Type"] == "application/xml"
    error = ElementTree.fromstring(answer.value.read())
    assert [child.tag for child in error] == ["Code", "Message", "Size", "MaxSizeAllowed", "RequestId", "HostId"]
    assert error.findtext("Size") == "1100"
