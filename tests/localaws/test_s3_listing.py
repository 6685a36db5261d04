"""S3 listings as AWS serves them: ListObjectVersions honours encoding-type=url (moto ignores it), so clients
that decode keys (the Go SDK behind Terraform's bucket emptying) delete the keys that really exist."""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET

KEYS = ["dir/a+b c.jpg", "ü x+.jpg", "plain.jpg"]
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def test_object_versions_are_url_encoded_when_asked(aws, client):
    s3 = client("s3")
    s3.create_bucket(Bucket="awkward-keys")
    for key in KEYS:
        s3.put_object(Bucket="awkward-keys", Key=key, Body=b"x")
    with urllib.request.urlopen(f"{aws.endpoint_url}/awkward-keys?versions&encoding-type=url") as response:
        root = ET.fromstring(response.read())
    assert root.findtext(f"{NS}EncodingType") == "url"
    assert sorted(v.findtext(f"{NS}Key") for v in root.iter(f"{NS}Version")) == sorted(
        ["dir/a%2Bb%20c.jpg", "plain.jpg", "%C3%BC%20x%2B.jpg"]
    )
    listed = s3.list_object_versions(Bucket="awkward-keys")  # boto3 asks for url encoding and decodes it
    assert sorted(v["Key"] for v in listed["Versions"]) == sorted(KEYS)


def test_object_versions_are_raw_when_not_asked(aws, client):
    client("s3").create_bucket(Bucket="raw-keys")
    client("s3").put_object(Bucket="raw-keys", Key="a+b.jpg", Body=b"x")
    with urllib.request.urlopen(f"{aws.endpoint_url}/raw-keys?versions") as response:
        root = ET.fromstring(response.read())
    assert root.findtext(f"{NS}EncodingType") is None
    assert [v.findtext(f"{NS}Key") for v in root.iter(f"{NS}Version")] == ["a+b.jpg"]
