"""Pins seam items 24 and 25 (localaws/seam/cloudfront.py) against the pinned moto."""

from __future__ import annotations

import inspect

from moto.cloudfront import models as cloudfront_models
from moto.cloudfront import responses as cloudfront_responses
from moto.cloudfront import urls as cloudfront_urls


def test_moto_still_has_no_publication_and_no_policies():
    paths = " ".join(cloudfront_urls.url_paths)
    assert "publish" not in paths and "cache-policy" not in paths and "origin-request-policy" not in paths, (
        "moto serves some of seam item 24 now: drop what it serves from localaws/cloudfront.py"
    )
    response = cloudfront_responses.CloudFrontResponse
    assert not hasattr(response, "publish_function") and not hasattr(response, "update_function")
    assert "Stage" not in inspect.getsource(response.describe_function)


def test_moto_still_drops_access_controls_and_function_associations():
    assert "OriginAccessControlId" not in inspect.getsource(cloudfront_models.Origin), "drop it from seam item 25"
    behaviour = inspect.getsource(cloudfront_models.DefaultCacheBehaviour.__init__)
    assert 'self.function_associations = {"Quantity": 0}' in behaviour, "drop it from seam item 25"
    assert (
        "OriginGroups" not in inspect.getsource(cloudfront_models.DistributionConfig.__init__).split("raise")[0][-400:]
    ), "moto checks a behaviour's target against origin groups now: drop that from seam item 25"
    assert '"sni-only"' in inspect.getsource(cloudfront_models.ViewerCertificate.__init__)
