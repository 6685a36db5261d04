"""Function URLs on localaws (localaws/functionurls.py, callers.py, seam/lambda_urls.py): the API as Terraform uses
it, the version 2.0 event, the response mapping, and AWS_IAM auth by SigV4 and the policy evaluator."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localaws.functionurls import RESPONSE_LIMIT

ECHO = """
import base64, json
LIMIT = 6_291_556
def handler(event, context):
    if event["rawPath"] == "/big":
        return {"statusCode": 200, "body": "x" * LIMIT}
    if event["rawPath"] == "/plain":
        return {"hello": "world"}
    if event["rawPath"] == "/string":
        return "Hello, world!"
    if event["rawPath"] == "/fail":
        raise ValueError("no")
    if event["rawPath"] == "/image":
        return {"statusCode": 201, "headers": {"Content-Type": "image/webp", "Cache-Control": "max-age=60"},
                "cookies": ["a=1; Max-Age=60", "b=2"],
                "body": base64.b64encode(b"\\x00\\x01binary").decode(), "isBase64Encoded": True}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
"""


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.headers.get_all("Set-Cookie"), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), None, error.read()


def signed(url: str, key: str, secret: str, token: str | None = None, method: str = "GET", body: bytes = b""):
    """The headers of ``url`` signed with SigV4 for Lambda, as CloudFront, awscurl or a SDK sign them."""
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials(key, secret, token), "lambda", "us-east-1").add_auth(request)
    return dict(request.headers)


@pytest.fixture(scope="module")
def echo(deploy, client):
    name = f"url-{uuid.uuid4().hex[:8]}"
    arn = deploy(name, ECHO, memory=512)
    return name, arn


@pytest.fixture(scope="module")
def user(client):
    """An IAM user of localaws's, with its own key; its policy allows invoking through a function URL only."""
    iam = client("iam")
    name = f"caller-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    actions = ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="urls", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_the_api_terraform_uses_and_a_url_that_answers(echo, client, user):
    name, arn = echo
    lam = client("lambda")
    created = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM", InvokeMode="BUFFERED")
    url = created["FunctionUrl"]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    got = lam.get_function_url_config(FunctionName=name)
    assert (got["FunctionUrl"], got["AuthType"], got["FunctionArn"]) == (url, "AWS_IAM", arn)
    lam.update_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM")
    assert lam.get_function_url_config(FunctionName=name)["InvokeMode"] == "RESPONSE_STREAM"

    status, _, _, body = call(url + "path?a=1", headers=signed(url + "path?a=1", *user))
    assert status == 200, body
    seen = json.loads(body)
    assert seen["version"] == "2.0" and seen["rawPath"] == "/path" and seen["rawQueryString"] == "a=1"
    assert seen["requestContext"]["authorizer"]["iam"]["accessKey"] == user[0]

    lam.delete_function_url_config(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_url_config(FunctionName=name)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)


@pytest.fixture
def public(echo, client):
    """The function's URL with NONE auth and the public permissions AWS requires since October 2025."""
    name, _ = echo
    lam = client("lambda")
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    lam.add_permission(FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")  # fmt: skip
    lam.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction", Principal="*")
    yield url
    lam.remove_permission(FunctionName=name, StatementId="url")
    lam.remove_permission(FunctionName=name, StatementId="invoke")
    lam.delete_function_url_config(FunctionName=name)


def test_the_event_is_lambdas_version_2_0_payload(public):
    status, headers, _, body = call(
        public + "cats/a%20b.jpg?w=1&w=2&x=",
        method="POST",
        body=b'{"k": 1}',
        headers={"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2", "X-Thing": "yes"},
    )
    assert status == 200, body
    assert headers["x-amzn-RequestId"]
    seen = json.loads(body)
    assert set(seen) >= {"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext", "body",
                         "isBase64Encoded", "cookies", "queryStringParameters"}  # fmt: skip
    assert seen["routeKey"] == "$default"
    assert seen["rawPath"] == "/cats/a%20b.jpg"
    assert seen["queryStringParameters"] == {"w": "1,2", "x": ""}
    assert seen["cookies"] == ["c1=v1", "c2=v2"] and "cookie" not in seen["headers"]
    assert seen["headers"]["x-thing"] == "yes" and seen["headers"]["content-type"] == "application/json"
    assert (seen["body"], seen["isBase64Encoded"]) == ('{"k": 1}', False)
    context = seen["requestContext"]
    assert context["http"]["method"] == "POST" and context["http"]["path"] == "/cats/a%20b.jpg"
    assert context["authorizer"] is None, "NONE auth: no caller identity"
    assert context["routeKey"] == context["stage"] == "$default"
    assert context["domainName"] == f"{context['apiId']}.lambda-url.us-east-1.on.aws"
    assert isinstance(context["timeEpoch"], int) and context["accountId"] == "123456789012"

    status, _, _, body = call(public + "binary", method="PUT", body=b"\xff\x00", headers={"Content-Type": "image/png"})
    seen = json.loads(body)
    assert (seen["isBase64Encoded"], base64.b64decode(seen["body"])) == (True, b"\xff\x00")


def test_the_response_is_mapped_as_lambda_maps_it(public):
    status, headers, cookies, body = call(public + "image")
    assert (status, headers["Content-Type"], headers["Cache-Control"]) == (201, "image/webp", "max-age=60")
    assert body == b"\x00\x01binary" and cookies == ["a=1; Max-Age=60", "b=2"]
    status, headers, _, body = call(public + "plain")
    assert (status, headers["Content-Type"], json.loads(body)) == (200, "application/json", {"hello": "world"})
    status, _, _, body = call(public + "string")
    assert (status, body) == (200, b'"Hello, world!"')
    status, _, _, body = call(public + "fail")
    assert (status, body) == (502, b"Internal Server Error")


def test_a_response_over_lambdas_6_mb_limit_is_a_502(public):
    assert RESPONSE_LIMIT == 6_291_556, "the limit the function above exceeds"
    status, _, _, body = call(public + "big")
    assert (status, body) == (502, b"Internal Server Error")


def test_none_auth_still_needs_the_public_in_the_functions_policy(echo, client):
    name, _ = echo
    lam = client("lambda")
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    try:
        assert call(url)[0] == 403, "no permission for the public"
        lam.add_permission(FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                           FunctionUrlAuthType="NONE")  # fmt: skip
        status, _, _, body = call(url)
        assert (status, body) == (403, b'{"Message":"Forbidden"}'), "lambda:InvokeFunction is needed too"
        lam.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction", Principal="*")
        assert call(url)[0] == 200
        statement = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"][0]
        assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
        assert "FunctionUrlAuthType" not in statement
    finally:
        lam.remove_permission(FunctionName=name, StatementId="url")
        lam.remove_permission(FunctionName=name, StatementId="invoke")
        lam.delete_function_url_config(FunctionName=name)


def test_aws_iam_wants_a_valid_signature_by_a_known_key_and_a_policy_that_allows(echo, client, user, aws):
    name, arn = echo
    lam = client("lambda")
    url = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    try:
        assert call(url)[0] == 403, "unsigned"
        assert call(url, headers=signed(url, user[0], "wrong-secret"))[0] == 403, "wrongly signed"
        assert call(url, headers=signed(url, "x", "x"))[0] == 403, "a key localaws never issued"
        tampered = signed(url + "a", *user)
        assert call(url + "b", headers=tampered)[0] == 403, "signed for another path"
        assert call(url + "a", headers=signed(url + "a", *user))[0] == 200

        # a user whose policy allows nothing is refused, unless the function's policy names it
        iam = client("iam")
        other = f"other-{uuid.uuid4().hex[:8]}"
        user_arn = iam.create_user(UserName=other)["User"]["Arn"]
        key = iam.create_access_key(UserName=other)["AccessKey"]
        keys = (key["AccessKeyId"], key["SecretAccessKey"])
        assert call(url, headers=signed(url, *keys))[0] == 403
        for sid, action in (("u1", "lambda:InvokeFunctionUrl"), ("u2", "lambda:InvokeFunction")):
            lam.add_permission(FunctionName=name, StatementId=sid, Action=action, Principal=user_arn)
        assert call(url, headers=signed(url, *keys))[0] == 200

        # CloudFront behind a lambda origin access control: the service principal with the distribution's ARN
        cloudfront = client("cloudfront")
        distribution = cloudfront.create_distribution(DistributionConfig=distribution_config(url))["Distribution"]
        with urllib.request.urlopen(
            f"{aws.endpoint_url}/_localaws/cloudfront/distributions/{distribution['Id']}/origin-credentials"
        ) as answer:
            origin = json.loads(answer.read())
        assert origin["SourceArn"] == distribution["ARN"]
        as_cloudfront = signed(url, origin["AccessKeyId"], origin["SecretAccessKey"])
        assert call(url, headers=as_cloudfront)[0] == 403, "no permission names CloudFront yet"
        for sid, action in (("cf1", "lambda:InvokeFunctionUrl"), ("cf2", "lambda:InvokeFunction")):
            lam.add_permission(FunctionName=name, StatementId=sid, Action=action,
                               Principal="cloudfront.amazonaws.com", SourceArn=distribution["ARN"])  # fmt: skip
        status, _, _, body = call(url, headers=as_cloudfront)
        assert status == 200, body
        assert json.loads(body)["requestContext"]["authorizer"]["iam"]["userArn"] == "cloudfront.amazonaws.com"
        another = distribution["ARN"][:-3] + "XYZ"
        lam.remove_permission(FunctionName=name, StatementId="cf2")
        lam.add_permission(FunctionName=name, StatementId="cf2", Action="lambda:InvokeFunction",
                           Principal="cloudfront.amazonaws.com", SourceArn=another)  # fmt: skip
        assert call(url, headers=as_cloudfront)[0] == 403, "InvokeFunction allowed only for another distribution"
    finally:
        for sid in ("u1", "u2", "cf1", "cf2"):
            try:
                lam.remove_permission(FunctionName=name, StatementId=sid)
            except lam.exceptions.ResourceNotFoundException:
                pass
        lam.delete_function_url_config(FunctionName=name)


def distribution_config(url: str) -> dict:
    domain = url.split("/")[2]
    return {
        "CallerReference": uuid.uuid4().hex,
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "fn", "DomainName": domain,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "fn", "ViewerProtocolPolicy": "redirect-to-https"},
    }  # fmt: skip
