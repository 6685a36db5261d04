"""CloudFront's control plane on localaws (localaws/cloudfront.py, seam/cloudfront.py): CloudFront Functions and
their publication, cache and origin request policies, distributions with origin groups and origin access controls,
invalidations -- and one Terraform stack of exactly those resources, applied and destroyed."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from devkit.origin import origin_get, origin_key
from devkit.terraform import environment
from localaws.cloudfront import MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES
from localaws.runtime import LOCAL_RUNTIME
from localaws.terraform import provider_settings

STACK = Path(__file__).parent / "stacks" / "cloudfront"
CODE = b"async function handler(event) { return event.request; }"


def test_a_function_is_published_to_live_and_updated_in_development(client):
    cloudfront = client("cloudfront")
    name = f"fn-{uuid.uuid4().hex[:8]}"
    config = {"Comment": "", "Runtime": "cloudfront-js-2.0"}
    etag = cloudfront.create_function(Name=name, FunctionConfig=config, FunctionCode=CODE)["ETag"]
    with pytest.raises(cloudfront.exceptions.NoSuchFunctionExists):
        cloudfront.describe_function(Name=name, Stage="LIVE")
    with pytest.raises(cloudfront.exceptions.PreconditionFailed):
        cloudfront.publish_function(Name=name, IfMatch="not-the-etag")
    published = cloudfront.publish_function(Name=name, IfMatch=etag)["FunctionSummary"]
    assert published["FunctionMetadata"]["Stage"] == "LIVE" and published["Status"] == "UNASSOCIATED"

    etag = cloudfront.update_function(
        Name=name, IfMatch=etag, FunctionConfig=config, FunctionCode=b"function handler(e) { return e.request; }"
    )["ETag"]
    assert cloudfront.get_function(Name=name, Stage="LIVE")["FunctionCode"].read() == CODE, "LIVE until published"
    assert cloudfront.get_function(Name=name)["FunctionCode"].read().startswith(b"function handler")
    cloudfront.publish_function(Name=name, IfMatch=etag)
    assert cloudfront.get_function(Name=name, Stage="LIVE")["FunctionCode"].read().startswith(b"function handler")
    cloudfront.delete_function(Name=name, IfMatch=cloudfront.describe_function(Name=name)["ETag"])


def test_cache_and_origin_request_policies_managed_and_own(client):
    cloudfront = client("cloudfront")
    optimized = cloudfront.get_cache_policy(Id="658327ea-f89d-4fab-a63d-7e88639e58f6")["CachePolicy"]
    assert optimized["CachePolicyConfig"]["Name"] == "Managed-CachingOptimized"
    managed = cloudfront.list_origin_request_policies(Type="managed")["OriginRequestPolicyList"]["Items"]
    assert {p["OriginRequestPolicy"]["Id"] for p in managed} == set(MANAGED_ORIGIN_REQUEST_POLICIES)
    assert len(MANAGED_CACHE_POLICIES) == 3

    config = {
        "Name": f"path-{uuid.uuid4().hex[:8]}", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 3600,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"},
        },
    }  # fmt: skip
    made = cloudfront.create_cache_policy(CachePolicyConfig=config)
    policy_id = made["CachePolicy"]["Id"]
    with pytest.raises(cloudfront.exceptions.CachePolicyAlreadyExists):
        cloudfront.create_cache_policy(CachePolicyConfig=config)
    assert cloudfront.get_cache_policy_config(Id=policy_id)["CachePolicyConfig"]["DefaultTTL"] == 60
    etag = cloudfront.update_cache_policy(
        Id=policy_id, IfMatch=made["ETag"], CachePolicyConfig={**config, "DefaultTTL": 5}
    )["ETag"]
    custom = cloudfront.list_cache_policies(Type="custom")["CachePolicyList"]["Items"]
    assert [
        p["CachePolicy"]["CachePolicyConfig"]["DefaultTTL"] for p in custom if p["CachePolicy"]["Id"] == policy_id
    ] == [5]
    with pytest.raises(cloudfront.exceptions.IllegalUpdate):
        cloudfront.delete_cache_policy(Id="658327ea-f89d-4fab-a63d-7e88639e58f6", IfMatch=optimized["Id"])
    cloudfront.delete_cache_policy(Id=policy_id, IfMatch=etag)
    with pytest.raises(cloudfront.exceptions.NoSuchCachePolicy):
        cloudfront.get_cache_policy(Id=policy_id)


def test_a_distribution_keeps_what_it_is_given(client):
    cloudfront = client("cloudfront")
    control = cloudfront.create_origin_access_control(
        OriginAccessControlConfig={"Name": f"oac-{uuid.uuid4().hex[:8]}", "SigningProtocol": "sigv4",
                                   "SigningBehavior": "always", "OriginAccessControlOriginType": "lambda"}
    )["OriginAccessControl"]["Id"]  # fmt: skip
    function_arn = "arn:aws:cloudfront::123456789012:function/rewrite"
    config = {
        "CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "s3", "DomainName": "b.s3.us-east-1.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}},
            {"Id": "fn", "DomainName": "127.0.0.1:9", "OriginAccessControlId": control,
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}},
        ]},
        "OriginGroups": {"Quantity": 1, "Items": [{
            "Id": "group",
            "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [403, 404]}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": "s3"}, {"OriginId": "fn"}]},
        }]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "group", "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            "FunctionAssociations": {"Quantity": 1, "Items": [
                {"FunctionARN": function_arn, "EventType": "viewer-request"}]},
        },
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
    }  # fmt: skip
    made = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
    kept = cloudfront.get_distribution_config(Id=made["Id"])["DistributionConfig"]
    assert kept["DefaultCacheBehavior"]["TargetOriginId"] == "group"
    assert {o["Id"]: o["OriginAccessControlId"] for o in kept["Origins"]["Items"]} == {"s3": "", "fn": control}
    (association,) = kept["DefaultCacheBehavior"]["FunctionAssociations"]["Items"]
    assert association == {"FunctionARN": function_arn, "EventType": "viewer-request"}
    assert "ForwardedValues" not in kept["DefaultCacheBehavior"], "a behaviour with a cache policy has none"
    assert "SSLSupportMethod" not in kept["ViewerCertificate"], "CloudFront's own certificate has none"
    with pytest.raises(cloudfront.exceptions.NoSuchOrigin):
        cloudfront.create_distribution(
            DistributionConfig={**config, "CallerReference": uuid.uuid4().hex,
                                "DefaultCacheBehavior": {**config["DefaultCacheBehavior"], "TargetOriginId": "none"}}
        )  # fmt: skip


@pytest.fixture(scope="module")
def stack(tmp_path_factory, aws) -> Iterator[SimpleNamespace]:
    """The stack applied on this module's localaws, for the tests of the group "cloudfront-stack" (its apply and
    its destroy are most of their time: the provider waits on CloudFront); the last test destroys it."""
    directory = tmp_path_factory.mktemp("cloudfront") / "stack"
    directory.mkdir()
    (directory / "main.tf").write_text((STACK / "main.tf").read_text())
    override = {"provider": {"aws": {"region": "us-east-1", **provider_settings(aws.endpoint_url)}}}
    (directory / "localaws_override.tf.json").write_text(json.dumps(override))
    with zipfile.ZipFile(directory / "fn.zip", "w") as archive:
        archive.writestr(
            "index.py", "def handler(event, context):\n    return {'statusCode': 200, 'body': event['rawPath']}\n"
        )
    name = f"cf{uuid.uuid4().hex[:6]}"
    terraform(directory, "init", "-input=false", name=name)
    terraform(directory, "apply", "-auto-approve", "-input=false", name=name)
    applied = SimpleNamespace(directory=directory, name=name, out=terraform(directory, "output", "-json", name=name))
    applied.destroyed = False
    yield applied
    if not applied.destroyed:
        terraform(directory, "destroy", "-auto-approve", "-input=false", name=name)


def terraform(directory: Path, *args: str, name: str) -> dict:
    env = {**os.environ, **environment(), "TF_VAR_zip": str(directory / "fn.zip"), "TF_VAR_runtime": LOCAL_RUNTIME,
           "TF_VAR_name": name, "TF_IN_AUTOMATION": "1"}  # fmt: skip
    run = subprocess.run(["terraform", *args], cwd=directory, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"terraform {args[0]} failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    if args[0] == "output":
        return {k: v["value"] for k, v in json.loads(run.stdout).items()}
    return {}


cloudfront_stack = [pytest.mark.e2e, pytest.mark.xdist_group("cloudfront-stack")]  # one apply for the four


@cloudfront_stack[0]
@cloudfront_stack[1]
def test_the_on_demand_cloudfront_resources_apply(stack, client):
    out, cloudfront = stack.out, client("cloudfront")
    config = cloudfront.get_distribution_config(Id=out["distribution_id"])["DistributionConfig"]
    (group,) = config["OriginGroups"]["Items"]
    assert sorted(group["FailoverCriteria"]["StatusCodes"]["Items"]) == [403, 404]
    assert [m["OriginId"] for m in group["Members"]["Items"]] == ["s3", "render"]
    origins = {o["Id"]: o for o in config["Origins"]["Items"]}
    assert sorted(o["OriginAccessControlId"] for o in origins.values()) == sorted(out["origin_access_control_ids"])
    assert "http://" + origins["render"]["DomainName"] + "/" == out["function_url"]
    behaviour = config["DefaultCacheBehavior"]
    assert "ForwardedValues" not in behaviour and "SSLSupportMethod" not in config["ViewerCertificate"], (
        "nothing the stack did not set is made up (a second plan would show it as a change)"
    )
    assert behaviour["TargetOriginId"] == group["Id"] and behaviour["CachePolicyId"] == out["cache_policy_id"]
    (association,) = behaviour["FunctionAssociations"]["Items"]
    assert (association["FunctionARN"], association["EventType"]) == (out["cloudfront_function_arn"], "viewer-request")
    live = cloudfront.describe_function(Name=out["cloudfront_function_arn"].rsplit("/", 1)[1], Stage="LIVE")
    assert live["FunctionSummary"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    controls = {cloudfront.get_origin_access_control(Id=i)["OriginAccessControl"]["OriginAccessControlConfig"][
        "OriginAccessControlOriginType"] for i in out["origin_access_control_ids"]}  # fmt: skip
    assert controls == {"s3", "lambda"}


@cloudfront_stack[0]
@cloudfront_stack[1]
def test_the_stacks_function_url_answers_cloudfront_and_no_one_else(stack, aws):
    url = stack.out["function_url"] + "thumbnails/640x360/uploads/cat.jpg.webp"
    key = origin_key(aws.endpoint_url, stack.out["distribution_id"])
    assert origin_get(url, key, "lambda")[::2] == (200, b"/thumbnails/640x360/uploads/cat.jpg.webp")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url)
    assert refused.value.code == 403


@cloudfront_stack[0]
@cloudfront_stack[1]
def test_the_stacks_invalidations_are_recorded_and_read_back(stack, client):
    cloudfront, distribution = client("cloudfront"), stack.out["distribution_id"]
    made = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/thumbnails/640x360/uploads/cat.jpg.*"]},
                           "CallerReference": "test"},
    )["Invalidation"]  # fmt: skip
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    assert [i["Id"] for i in listed] == [made["Id"]]
    got = cloudfront.get_invalidation(DistributionId=distribution, Id=made["Id"])["Invalidation"]
    assert got["InvalidationBatch"]["Paths"]["Items"] == ["/thumbnails/640x360/uploads/cat.jpg.*"]


@cloudfront_stack[0]
@cloudfront_stack[1]
def test_the_on_demand_cloudfront_resources_destroy(stack, client):
    out, cloudfront, lam = stack.out, client("cloudfront"), client("lambda")
    terraform(stack.directory, "destroy", "-auto-approve", "-input=false", name=stack.name)
    stack.destroyed = True
    with pytest.raises(cloudfront.exceptions.NoSuchDistribution):
        cloudfront.get_distribution(Id=out["distribution_id"])
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=out["function_name"])
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(out["function_url"], timeout=5)


def two_distributions(cloudfront) -> tuple[dict, dict]:
    """Two distributions of one S3 origin: the one a policy names, and another of the same account."""
    config = {
        "CallerReference": uuid.uuid4().hex, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [
            {"Id": "s3", "DomainName": "b.s3.us-east-1.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
        ]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https"},
    }  # fmt: skip
    ours = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
    theirs = cloudfront.create_distribution(DistributionConfig={**config, "CallerReference": uuid.uuid4().hex})
    return ours, theirs["Distribution"]


def test_an_s3_origin_behind_an_origin_access_control_is_judged_by_the_bucket_policy(client, aws):
    """CloudFront's origin key on S3: the bucket policy's statement for cloudfront.amazonaws.com with the
    distribution's ARN decides; a missing key is 403 without s3:ListBucket, 404 with it."""
    cloudfront, s3 = client("cloudfront"), client("s3")
    ours, theirs = two_distributions(cloudfront)
    bucket = f"oac-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="thumbnails/256/cat.jpg.webp", Body=b"webp")

    def statement(action: str, resource: str) -> dict:
        return {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": action,
                "Resource": resource, "Condition": {"StringEquals": {"AWS:SourceArn": ours["ARN"]}}}  # fmt: skip

    def policy(*statements: dict) -> None:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))

    def as_cloudfront(distribution: dict):
        with urllib.request.urlopen(
            f"{aws.endpoint_url}/_localaws/cloudfront/distributions/{distribution['Id']}/origin-credentials"
        ) as answer:
            origin = json.loads(answer.read())
        key, secret = origin["AccessKeyId"], origin["SecretAccessKey"]
        return boto3.client(
            "s3",
            endpoint_url=aws.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )

    def status(origin_client, key: str, head: bool = False) -> int:
        try:
            call = origin_client.head_object if head else origin_client.get_object
            return int(call(Bucket=bucket, Key=key)["ResponseMetadata"]["HTTPStatusCode"])
        except origin_client.exceptions.ClientError as error:
            return int(error.response["ResponseMetadata"]["HTTPStatusCode"])

    cf, other = as_cloudfront(ours), as_cloudfront(theirs)
    present, missing = "thumbnails/256/cat.jpg.webp", "thumbnails/256/dog.jpg.webp"
    assert status(cf, present) == 403, "no bucket policy: CloudFront may read nothing"
    policy(statement("s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    assert (status(cf, present), status(cf, present, head=True)) == (200, 200)
    assert status(other, present) == 403, "another distribution's key"
    assert (status(cf, missing), status(cf, missing, head=True)) == (403, 403), "missing, no s3:ListBucket: 403"
    policy(statement("s3:GetObject", f"arn:aws:s3:::{bucket}/*"), statement("s3:ListBucket", f"arn:aws:s3:::{bucket}"))
    assert status(cf, missing) == 404, "with s3:ListBucket a missing key is 404"
    assert status(client("s3"), present) == 200, "other keys keep moto's full access"
    key = origin_key(aws.endpoint_url, ours["Id"])  # devkit's helper, as a harness signs
    assert origin_get(f"{aws.endpoint_url}/{bucket}/{present}", key, "s3")[::2] == (200, b"webp")


def test_a_function_may_invalidate_only_the_distributions_its_role_names(aws, client):
    """The on-demand path invalidates with the function's role: cloudfront:CreateInvalidation is asked on the
    distribution's ARN, as IAM asks it."""
    cloudfront, iam = client("cloudfront"), client("iam")
    ours, theirs = two_distributions(cloudfront)
    name = f"invalidates-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    statement = {"Effect": "Allow", "Action": "cloudfront:CreateInvalidation", "Resource": ours["ARN"]}
    document = {"Version": "2012-10-17", "Statement": [statement]}
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    fn = SimpleNamespace(account_id="123456789012", region="us-east-1", function_name=name, role=role,
                         function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}")  # fmt: skip
    session = aws.sessions.issue(fn)
    as_role = boto3.client(
        "cloudfront", endpoint_url=aws.endpoint_url, region_name="us-east-1", aws_access_key_id=session.access_key_id,
        aws_secret_access_key=session.secret_access_key, aws_session_token=session.session_token,
    )  # fmt: skip
    batch = {"Paths": {"Quantity": 1, "Items": ["/thumbnails/256/cat.jpg.*"]}, "CallerReference": uuid.uuid4().hex}
    made = as_role.create_invalidation(DistributionId=ours["Id"], InvalidationBatch=batch)["Invalidation"]
    assert made["InvalidationBatch"]["Paths"]["Items"] == ["/thumbnails/256/cat.jpg.*"]
    with pytest.raises(as_role.exceptions.ClientError) as refused:
        as_role.create_invalidation(DistributionId=theirs["Id"], InvalidationBatch=batch)
    assert (refused.value.response["Error"]["Code"], refused.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied", 403
    )  # fmt: skip
    assert cloudfront.list_invalidations(DistributionId=theirs["Id"])["InvalidationList"]["Quantity"] == 0
