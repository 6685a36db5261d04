"""on_demand through the root module, planned offline: modules/on-demand's distribution, origin group, origin access
controls, viewer-request function and permissions, and the second function from the same package."""

from __future__ import annotations

import json

import pytest

from ..conftest import BASE
from ..planner import changes
from .test_viewer_request import render

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:thumbnail-signing-AbCdEf"
ON_DEMAND = {
    "presets": {"thumb": "256", "card": "640x360"},
    "formats": ["avif", "webp", "jpeg"],
    "signing_secret_arn": SECRET,
    "invalidate": True,
    "reserved_concurrency": 5,
    "max_age": 3600,
}
ARGS = {**BASE, "extra_formats": ["avif"], "on_demand": ON_DEMAND, "destination_prefix": "thumbnails/"}
OD = "module.under_test.module.on_demand[0]."


@pytest.fixture(scope="module")
def plan(root):
    return root.plan(("on_demand_bucket_policy_json",), **ARGS)


def resources(plan, module_call: str) -> dict:
    """The configuration (expressions and references) of a module call's resources, by address."""
    calls = plan["configuration"]["root_module"]["module_calls"]["under_test"]["module"]["module_calls"]
    return {r["address"]: r for r in calls[module_call]["module"]["resources"]}


def test_an_origin_group_asks_the_bucket_then_the_function_url(plan):
    distribution = changes(plan, OD + "aws_cloudfront_distribution.this")
    (group,) = distribution["origin_group"]
    assert group["failover_criteria"] == [{"status_codes": [403, 404]}]
    assert [m["origin_id"] for m in group["member"]] == ["thumbnails-bucket", "on-demand-function"]
    origins = {o["origin_id"]: o for o in distribution["origin"]}
    assert origins["thumbnails-bucket"]["domain_name"] == "thumbs.s3.us-east-1.amazonaws.com"
    assert origins["on-demand-function"]["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"
    (behaviour,) = distribution["default_cache_behavior"]
    assert behaviour["target_origin_id"] == group["origin_id"] and behaviour["allowed_methods"] == ["GET", "HEAD"]
    assert [f["event_type"] for f in behaviour["function_association"]] == ["viewer-request"]
    config = resources(plan, "on_demand")
    references = config["aws_cloudfront_distribution.this"]["expressions"]["origin"]
    assert {r for o in references for r in o["origin_access_control_id"]["references"]} >= {
        "aws_cloudfront_origin_access_control.s3.id",
        "aws_cloudfront_origin_access_control.lambda.id",
    }
    kinds = {
        name: changes(plan, OD + f"aws_cloudfront_origin_access_control.{name}")["origin_access_control_origin_type"]
        for name in ("s3", "lambda")
    }
    assert kinds == {"s3": "s3", "lambda": "lambda"}


def test_cloudfront_may_call_the_url_and_the_function_from_this_distribution_alone(plan):
    url = changes(plan, OD + "aws_lambda_function_url.this")
    assert url["authorization_type"] == "AWS_IAM"
    config = resources(plan, "on_demand")
    for name, action in (("url", "lambda:InvokeFunctionUrl"), ("invoke", "lambda:InvokeFunction")):
        permission = changes(plan, OD + f"aws_lambda_permission.{name}")
        assert (permission["action"], permission["principal"]) == (action, "cloudfront.amazonaws.com")
        source = config[f"aws_lambda_permission.{name}"]["expressions"]["source_arn"]["references"]
        assert "aws_cloudfront_distribution.this.arn" in source


def test_the_cache_key_is_the_path_alone_and_max_age_bounds_it(plan):
    policy = changes(plan, OD + "aws_cloudfront_cache_policy.this")
    (parameters,) = policy["parameters_in_cache_key_and_forwarded_to_origin"]
    assert parameters["headers_config"] == [{"header_behavior": "none", "headers": []}]
    assert parameters["cookies_config"][0]["cookie_behavior"] == "none"
    assert parameters["query_strings_config"][0]["query_string_behavior"] == "none"
    assert (policy["min_ttl"], policy["default_ttl"], policy["max_ttl"]) == (0, 3600, 3600)
    forwarded = changes(plan, OD + "aws_cloudfront_origin_request_policy.this")["headers_config"][0]["headers"]
    assert forwarded == [{"items": ["x-thumbnail-signature", "x-thumbnail-viewer-path"]}]


def test_the_deployed_viewer_request_code_is_the_tested_file(plan):
    function = changes(plan, OD + "aws_cloudfront_function.viewer_request")
    assert function["runtime"] == "cloudfront-js-2.0" and function["publish"] is True
    assert json.loads(function["code"].split("var CONFIG = ", 1)[1].split(";\n", 1)[0]) == {
        "prefix": "thumbnails/",
        "presets": ON_DEMAND["presets"],
        "formats": ON_DEMAND["formats"],
        "signed": True,
    }
    rendered = render(ON_DEMAND["presets"], tuple(ON_DEMAND["formats"]), signed=True)
    assert function["code"] == rendered, "the harness runs what is deployed"


def test_a_second_function_from_the_same_package_answers_the_url(plan):
    od = changes(plan, "module.under_test.module.on_demand_function[0].aws_lambda_function.this")
    upload = changes(plan, "module.under_test.module.function.aws_lambda_function.this")
    assert od["handler"] == "app.url_handler" and upload["handler"] == "app.handler"
    assert od["source_code_hash"] == upload["source_code_hash"], "the same package"
    assert od["reserved_concurrent_executions"] == 5 and od["function_name"] == "thumbnails-photos-on-demand"
    variables = od["environment"][0]["variables"]
    assert variables["ON_DEMAND_PRESETS"] == "card=640x360,thumb=256"
    assert variables["ON_DEMAND_SIGNING_SECRET_ARN"] == SECRET and variables["ON_DEMAND_FORMATS"] == "avif,webp,jpeg"
    document = changes(plan, "module.under_test.module.on_demand_function[0].data.aws_iam_policy_document.lambda")
    (signing,) = [s for s in document["statement"] if s["sid"] == "ReadSigningSecret"]
    assert (signing["actions"], signing["resources"]) == (["secretsmanager:GetSecretValue"], [SECRET])


def test_with_invalidate_the_upload_function_may_invalidate_this_distribution(plan):
    policy = resources(plan, "on_demand")["data.aws_iam_policy_document.invalidate"]["expressions"]["statement"][0]
    assert policy["actions"]["constant_value"] == ["cloudfront:CreateInvalidation"]
    assert "aws_cloudfront_distribution.this.arn" in policy["resources"]["references"]
    attached = changes(plan, OD + "aws_iam_role_policy.invalidate[0]")
    assert attached["role"] == "thumbnails-photos-us-east-1", "the upload function's role"


def test_without_on_demand_nothing_of_it_is_planned(root):
    plan = root.plan(("on_demand_domain_name",), **BASE)
    assert not [a for a in plan.resource_changes if "on_demand" in a]
    variables = changes(plan, "module.under_test.module.function.aws_lambda_function.this")["environment"][0]
    assert not [name for name in variables["variables"] if name.startswith("ON_DEMAND")]


def test_presets_alone_are_enough(root):
    """The shortest on_demand: presets and formats; no reserved concurrency, no signing, no invalidation."""
    minimal = {"presets": {"thumb": "256"}, "formats": ["webp", "jpeg"]}
    plan = root.plan(**BASE, on_demand=minimal)
    od = changes(plan, "module.under_test.module.on_demand_function[0].aws_lambda_function.this")
    assert od["reserved_concurrent_executions"] == -1
    assert (
        "ON_DEMAND_DISTRIBUTION_ID"
        not in changes(plan, "module.under_test.module.function.aws_lambda_function.this")["environment"][0][
            "variables"
        ]
    )
    assert not [a for a in plan.resource_changes if a.endswith("aws_iam_role_policy.invalidate[0]")]
