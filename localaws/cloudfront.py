"""CloudFront's control plane where moto's stops: publishing and updating CloudFront Functions, cache policies and
origin request policies (AWS's managed ones by ID, and a stack's own).

moto parses each request and serialises each answer by botocore's model of CloudFront (``ActionResult``), so the
shapes are AWS's; this module keeps what moto does not. Nothing here serves viewers: CloudFront's routing (the
viewer request, the cache, the origin group's failover) is not modelled by localaws.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.cloudfront.exceptions import CloudFrontException, NoSuchFunctionExists
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult, EmptyResult


def error(code: str, message: str) -> CloudFrontException:
    """CloudFront's XML error; moto answers it with the HTTP status botocore's model gives ``code``."""
    return CloudFrontException(code, message)


def _none(kind: str) -> dict[str, Any]:
    return {f"{kind}Behavior": "none"}


def _cache(name: str, comment: str, ttl: tuple[int, int, int], compress: bool) -> dict[str, Any]:
    return {
        "Comment": comment,
        "Name": name,
        "MinTTL": ttl[0],
        "DefaultTTL": ttl[1],
        "MaxTTL": ttl[2],
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": compress,
            "EnableAcceptEncodingBrotli": compress,
            "HeadersConfig": _none("Header"),
            "CookiesConfig": _none("Cookie"),
            "QueryStringsConfig": _none("QueryString"),
        },
    }


def _forward(name: str, comment: str, headers: dict[str, Any], everything: bool) -> dict[str, Any]:
    return {
        "Comment": comment,
        "Name": name,
        "HeadersConfig": headers,
        "CookiesConfig": {"CookieBehavior": "all" if everything else "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "all" if everything else "none"},
    }


# AWS's managed policies the module may name (IDs as CloudFront's developer guide lists them)
MANAGED_CACHE_POLICIES = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": _cache(
        "Managed-CachingOptimized", "Policy with caching enabled", (1, 86400, 31536000), True
    ),
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": _cache(
        "Managed-CachingDisabled", "Policy with caching disabled", (0, 0, 0), False
    ),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": _cache(
        "Managed-CachingOptimizedForUncompressedObjects",
        "Default policy when compression is disabled",
        (1, 86400, 31536000),
        False,
    ),
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": _forward(
        "Managed-AllViewer",
        "Policy to forward all parameters in viewer requests",
        {"HeaderBehavior": "allViewer"},
        True,
    ),
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": _forward(
        "Managed-AllViewerExceptHostHeader",
        "Policy to forward all parameters in viewer requests except for the Host header",
        {"HeaderBehavior": "allExcept", "Headers": {"Quantity": 1, "Items": ["host"]}},
        True,
    ),
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": _forward(
        "Managed-CORS-S3Origin",
        "Policy for origin request headers for S3 origins with CORS",
        {
            "HeaderBehavior": "whitelist",
            "Headers": {
                "Quantity": 3,
                "Items": ["origin", "access-control-request-headers", "access-control-request-method"],
            },
        },
        False,
    ),
}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Policy:
    """A cache policy or origin request policy."""

    id: str
    config: dict[str, Any]
    managed: bool = False
    etag: str = field(default_factory=lambda: uuid.uuid4().hex[:14].upper())
    last_modified: datetime = field(default_factory=_now)


class Policies:
    """One kind of policy (``CachePolicy`` or ``OriginRequestPolicy``) of one account."""

    def __init__(self, kind: str, managed: dict[str, dict[str, Any]]) -> None:
        self.kind = kind
        self._lock = threading.Lock()
        self._items = {pid: Policy(pid, config, managed=True) for pid, config in managed.items()}

    def _get(self, policy_id: str) -> Policy:
        found = self._items.get(policy_id)
        if found is None:
            raise error(f"NoSuch{self.kind}", f"The {self.kind} does not exist.")
        return found

    def _name_taken(self, name: str, other_than: str | None = None) -> None:
        if any(p.config.get("Name") == name and p.id != other_than for p in self._items.values()):
            raise error(f"{self.kind}AlreadyExists", f"A {self.kind} with this name already exists.")

    def create(self, config: dict[str, Any]) -> Policy:
        with self._lock:
            self._name_taken(config.get("Name", ""))
            made = Policy(str(uuid.uuid4()), config)
            self._items[made.id] = made
            return made

    def get(self, policy_id: str) -> Policy:
        with self._lock:
            return self._get(policy_id)

    def update(self, policy_id: str, config: dict[str, Any], if_match: str | None) -> Policy:
        with self._lock:
            found = self._get(policy_id)
            self._check(found, if_match)
            self._name_taken(config.get("Name", ""), other_than=policy_id)
            found.config = config
            found.etag = uuid.uuid4().hex[:14].upper()
            found.last_modified = _now()
            return found

    def delete(self, policy_id: str, if_match: str | None) -> None:
        with self._lock:
            found = self._get(policy_id)
            self._check(found, if_match)
            del self._items[policy_id]

    def _check(self, found: Policy, if_match: str | None) -> None:
        if found.managed:
            raise error("IllegalUpdate", f"A managed {self.kind} cannot be changed or deleted.")
        if not if_match:
            raise error("InvalidIfMatchVersion", "The If-Match version is missing or not valid.")
        if if_match != found.etag:
            raise error("PreconditionFailed", "The precondition given in one or more fields failed.")

    def listed(self, kind: str | None) -> list[Policy]:
        with self._lock:
            return [p for p in self._items.values() if kind is None or (kind == "managed") == p.managed]


_STATE_LOCK = threading.Lock()


def _state(backend: Any) -> tuple[Policies, Policies]:
    with _STATE_LOCK:
        state = getattr(backend, "_localaws_policies", None)
        if state is None:
            state = (
                Policies("CachePolicy", MANAGED_CACHE_POLICIES),
                Policies("OriginRequestPolicy", MANAGED_ORIGIN_REQUEST_POLICIES),
            )
            backend._localaws_policies = state
        return state


def _function(backend: Any, name: str) -> Any:
    found = backend.functions.get(name)
    if found is None:
        raise NoSuchFunctionExists(name)
    return found


def _match(found: Any, if_match: str | None) -> None:
    if not if_match:
        raise error("InvalidIfMatchVersion", "The If-Match version is missing or not valid.")
    if if_match != found.etag:
        raise error("PreconditionFailed", "The precondition given in one or more fields failed.")


def _live_summary(fn: Any) -> dict[str, Any]:
    live = fn.live
    return {
        "Name": fn.name,
        "Status": fn.status,
        "FunctionConfig": live["config"],
        "FunctionMetadata": {
            "FunctionARN": fn.arn,
            "Stage": "LIVE",
            "CreatedTime": fn.created_time,
            "LastModifiedTime": live["time"],
        },
    }


class CloudFrontExtras(CloudFrontResponse):
    """The operations above, answered in CloudFront's shapes; the rest stays moto's."""

    # -- functions: publish and update, and the LIVE stage ---------------------------------------------------------

    def publish_function(self) -> ActionResult:
        fn = _function(self.backend, self._get_param("Name"))
        _match(fn, self._get_param("IfMatch"))
        fn.live = {"config": fn.config, "code": fn.code, "time": _now(), "etag": uuid.uuid4().hex[:14].upper()}
        fn.status = "UNASSOCIATED"
        return ActionResult({"FunctionSummary": _live_summary(fn)})

    def update_function(self) -> ActionResult:
        fn = _function(self.backend, self._get_param("Name"))
        _match(fn, self._get_param("IfMatch"))
        fn.config = self._get_param("FunctionConfig", {})
        fn.code = self._get_param("FunctionCode")
        fn.last_modified_time = _now()
        fn.etag = uuid.uuid4().hex[:14].upper()
        return ActionResult({"FunctionSummary": fn.function_summary, "ETag": fn.etag})

    def describe_function(self) -> ActionResult:
        fn = _function(self.backend, self._get_param("Name"))
        if self._get_param("Stage") == "LIVE":
            if getattr(fn, "live", None) is None:
                raise NoSuchFunctionExists(fn.name)
            return ActionResult({"FunctionSummary": _live_summary(fn), "ETag": fn.live["etag"]})
        return ActionResult({"FunctionSummary": fn.function_summary, "ETag": fn.etag})

    def get_function(self) -> ActionResult:
        fn = _function(self.backend, self._get_param("Name"))
        if self._get_param("Stage") == "LIVE":
            if getattr(fn, "live", None) is None:
                raise NoSuchFunctionExists(fn.name)
            return ActionResult(
                {"FunctionCode": fn.live["code"], "ETag": fn.live["etag"], "ContentType": "application/octet-stream"}
            )
        return ActionResult({"FunctionCode": fn.code, "ETag": fn.etag, "ContentType": "application/octet-stream"})

    # -- cache policies and origin request policies ----------------------------------------------------------------

    def _policies(self, kind: str) -> Policies:
        cache, origin_request = _state(self.backend)
        return cache if kind == "CachePolicy" else origin_request

    def _answer(self, kind: str, found: Policy, location: bool = False) -> ActionResult:
        body: dict[str, Any] = {
            kind: {"Id": found.id, "LastModifiedTime": found.last_modified, f"{kind}Config": found.config},
            "ETag": found.etag,
        }
        if location:
            path = "cache-policy" if kind == "CachePolicy" else "origin-request-policy"
            body["Location"] = f"https://cloudfront.amazonaws.com/2020-05-31/{path}/{found.id}"
        return ActionResult(body)

    def _create(self, kind: str) -> ActionResult:
        return self._answer(kind, self._policies(kind).create(self._get_param(f"{kind}Config", {})), location=True)

    def _read(self, kind: str, config_only: bool = False) -> ActionResult:
        found = self._policies(kind).get(self._get_param("Id"))
        if config_only:
            return ActionResult({f"{kind}Config": found.config, "ETag": found.etag})
        return self._answer(kind, found)

    def _update(self, kind: str) -> ActionResult:
        config = self._get_param(f"{kind}Config", {})
        return self._answer(
            kind, self._policies(kind).update(self._get_param("Id"), config, self._get_param("IfMatch"))
        )

    def _delete(self, kind: str) -> EmptyResult:
        self._policies(kind).delete(self._get_param("Id"), self._get_param("IfMatch"))
        return EmptyResult()

    def _list(self, kind: str) -> ActionResult:
        wanted = self._get_param("Type")
        items = [
            {"Type": "managed" if p.managed else "custom", kind: {"Id": p.id, "LastModifiedTime": p.last_modified,
                                                                  f"{kind}Config": p.config}}
            for p in self._policies(kind).listed(wanted)
        ]  # fmt: skip
        return ActionResult({f"{kind}List": {"MaxItems": 100, "Quantity": len(items), "Items": items or None}})

    def create_cache_policy(self) -> ActionResult:
        return self._create("CachePolicy")

    def get_cache_policy(self) -> ActionResult:
        return self._read("CachePolicy")

    def get_cache_policy_config(self) -> ActionResult:
        return self._read("CachePolicy", config_only=True)

    def update_cache_policy(self) -> ActionResult:
        return self._update("CachePolicy")

    def delete_cache_policy(self) -> EmptyResult:
        return self._delete("CachePolicy")

    def list_cache_policies(self) -> ActionResult:
        return self._list("CachePolicy")

    def create_origin_request_policy(self) -> ActionResult:
        return self._create("OriginRequestPolicy")

    def get_origin_request_policy(self) -> ActionResult:
        return self._read("OriginRequestPolicy")

    def get_origin_request_policy_config(self) -> ActionResult:
        return self._read("OriginRequestPolicy", config_only=True)

    def update_origin_request_policy(self) -> ActionResult:
        return self._update("OriginRequestPolicy")

    def delete_origin_request_policy(self) -> EmptyResult:
        return self._delete("OriginRequestPolicy")

    def list_origin_request_policies(self) -> ActionResult:
        return self._list("OriginRequestPolicy")


PATHS = (
    "{0}/2020-05-31/function/(?P<function_name>[^/]+)/publish$",
    "{0}/2020-05-31/cache-policy$",
    "{0}/2020-05-31/cache-policy/(?P<policy_id>[^/]+)$",
    "{0}/2020-05-31/cache-policy/(?P<policy_id>[^/]+)/config$",
    "{0}/2020-05-31/origin-request-policy$",
    "{0}/2020-05-31/origin-request-policy/(?P<policy_id>[^/]+)$",
    "{0}/2020-05-31/origin-request-policy/(?P<policy_id>[^/]+)/config$",
)
# moto's paths whose operations CloudFrontExtras answers more of (UpdateFunction, the LIVE stage)
TAKEN_OVER = (
    "{0}/2020-05-31/function/(?P<function_name>[^/]+)$",
    "{0}/2020-05-31/function/(?P<function_name>[^/]+)/describe$",
)
