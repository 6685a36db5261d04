"""Seam items 24 and 25: CloudFront's control plane as far as a stack of CloudFront Functions, origin access controls,
origin groups and cache policies uses it (localaws/cloudfront.py), and a distribution that keeps what it is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudfront import models as cloudfront_models
from moto.cloudfront import urls as cloudfront_urls

from ..cloudfront import PATHS, CloudFrontExtras
from . import patch


def serve_functions_and_policies() -> None:
    """``moto.cloudfront.urls.url_paths`` -- every CloudFront path is answered by ``CloudFrontExtras``, moto's
    responses with ``PublishFunction``, ``UpdateFunction``, the ``LIVE`` stage of ``DescribeFunction`` and
    ``GetFunction``, and cache and origin request policies (``Create``, ``Get``, ``GetConfig``, ``Update``,
    ``Delete``, ``List``; AWS's managed ones by ID): moto answered 404 to each, so ``aws_cloudfront_function`` with
    ``publish = true`` and ``aws_cloudfront_cache_policy`` failed to apply."""

    def extended(original: dict[str, Any]) -> dict[str, Any]:
        return {**dict.fromkeys(original, CloudFrontExtras.dispatch), **dict.fromkeys(PATHS, CloudFrontExtras.dispatch)}

    patch.replace(cloudfront_urls, "url_paths", extended)


def keep_distribution_settings() -> None:
    """``moto.cloudfront.models.DistributionConfig.__init__``, ``Origin.__init__`` and
    ``DefaultCacheBehaviour.__init__`` -- moto refused a cache behaviour whose target is an origin group
    (``NoSuchOrigin``), and dropped an origin's
    ``OriginAccessControlId`` and a cache behaviour's ``FunctionAssociations`` and ``LambdaFunctionAssociations``
    (it answers none), so every plan of a distribution with an origin access control or a CloudFront Function showed
    a change, and a test could not read what the distribution runs."""

    def origin(original: Callable[..., Any]) -> Callable[..., Any]:
        def init(self: Any, config: dict[str, Any]) -> None:
            original(self, config)
            self.origin_access_control_id = config.get("OriginAccessControlId") or ""

        return init

    def behaviour(original: Callable[..., Any]) -> Callable[..., Any]:
        def init(self: Any, config: dict[str, Any]) -> None:
            original(self, config)
            for key, attribute in (
                ("FunctionAssociations", "function_associations"),
                ("LambdaFunctionAssociations", "lambda_function_associations"),
            ):
                given = config.get(key)
                if given and given.get("Items"):
                    setattr(self, attribute, {"Quantity": len(given["Items"]), "Items": given["Items"]})
            if "ForwardedValues" not in config:  # a behaviour with a cache policy has none
                self.forwarded_values = None

        return init

    def distribution(original: Callable[..., Any]) -> Callable[..., Any]:
        def init(self: Any, config: dict[str, Any]) -> None:
            groups = [g.get("Id") for g in (config.get("OriginGroups") or {}).get("Items") or []]
            behaviour = config.get("DefaultCacheBehavior") or {}
            target = behaviour.get("TargetOriginId")
            origins = [o.get("Id") for o in (config.get("Origins") or {}).get("Items") or []]
            if target not in groups or not origins:
                original(self, config)
                return
            behaviour["TargetOriginId"] = origins[0]  # moto checks the target against the origins only
            try:
                original(self, config)
            finally:
                behaviour["TargetOriginId"] = target
            self.DefaultCacheBehavior.target_origin_id = target

        return init

    def certificate(original: Callable[..., Any]) -> Callable[..., Any]:
        def init(self: Any, config: dict[str, Any]) -> None:
            original(self, config)
            if not config.get("SSLSupportMethod") and self.cloud_front_default_certificate:
                self.ssl_support_method = None  # CloudFront's own certificate has none

        return init

    patch.replace(cloudfront_models.DistributionConfig, "__init__", distribution)
    patch.replace(cloudfront_models.ViewerCertificate, "__init__", certificate)
    patch.replace(cloudfront_models.Origin, "__init__", origin)
    patch.replace(cloudfront_models.DefaultCacheBehaviour, "__init__", behaviour)
