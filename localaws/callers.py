"""Who signed a request, proved by its SigV4 signature: the caller a function URL with ``AWS_IAM`` auth judges.

A request signed with Signature Version 4 names its access key (``Credential=KEY/DATE/REGION/SERVICE/aws4_request``);
the signature is computed again here with that key's secret, as AWS does, and must match. The keys localaws knows:

- a function's role session (sessions.py): the role session, with the role's policies;
- a role session issued by localaws's STS (``AssumeRole``): the same, for the role it assumed;
- an IAM user's access key (``CreateAccessKey``): the user, with its inline and attached policies;
- an origin key of a CloudFront distribution (``Origins``): the service principal ``cloudfront.amazonaws.com``
  acting for that distribution (``aws:SourceArn``, ``aws:SourceAccount``), as CloudFront signs an origin request
  behind a ``lambda`` origin access control. localaws hands them out (``GET /_localaws/cloudfront/distributions/ID/
  origin-credentials``) to whatever plays CloudFront's part.

Any other key -- the static keys Terraform and the tests use, which moto accepts for its API -- is not a caller AWS
would know: ``None``, and a function URL answers 403, as for a wrong signature.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .enforce import role_policies
from .origins import CLOUDFRONT, Origins
from .policy import Policy
from .sessions import Session, Sessions

__all__ = ["CLOUDFRONT", "Caller", "Origins", "verify"]

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<headers>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Caller:
    """A signer localaws knows, as IAM sees it."""

    access_key_id: str
    principal: str  # the session's or user's ARN, or the service principal's name
    role: str  # the role's ARN ("" for a user or a service)
    account: str
    identity: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None
    context: Mapping[str, str] = field(default_factory=dict)  # condition keys the caller brings (aws:SourceArn)
    user_id: str = ""


@dataclass(frozen=True)
class _Known:
    secret: str
    token: str | None
    caller: Caller


def parse_authorization(value: str) -> dict[str, str] | None:
    found = _AUTHORIZATION.match(value.strip())
    return found.groupdict() if found else None


def _session_caller(session: Session) -> Caller:
    identity, boundary = role_policies(session)
    return Caller(session.access_key_id, session.arn, session.role_arn, session.account_id, identity, boundary)


def _known(access_key_id: str, sessions: Sessions | None, origins: Origins | None, partition: str) -> _Known | None:
    session = sessions.find(access_key_id) if sessions is not None else None
    if session is not None:
        return _Known(session.secret_access_key, session.session_token, _session_caller(session))
    if origins is not None and (origin := origins.find(access_key_id)) is not None:
        arn, secret = origin
        account = arn.split(":")[4]
        context = {"aws:SourceArn": arn, "aws:SourceAccount": account}
        return _Known(secret, None, Caller(access_key_id, CLOUDFRONT, "", account, context=context))
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account, by_partition in list(sts_backends.items()):
        backend = by_partition.get(partition) if hasattr(by_partition, "get") else None
        for assumed in list(getattr(backend, "assumed_roles", []) or []):
            if assumed.access_key_id == access_key_id:
                role_session = Session(
                    access_key_id=assumed.access_key_id,
                    secret_access_key=assumed.secret_access_key,
                    session_token=assumed.session_token,
                    role_arn=assumed.role_arn,
                    function_name=assumed.session_name,
                    function_arn="",
                    account_id=account,
                    region="",
                )
                return _Known(assumed.secret_access_key, assumed.session_token, _session_caller(role_session))
    for account, iam_by_partition in list(iam_backends.items()):
        iam = iam_by_partition.get(partition) if hasattr(iam_by_partition, "get") else None
        for user in list(getattr(iam, "users", {}).values()) if iam is not None else []:
            for key in user.access_keys:
                if key.access_key_id == access_key_id and key.status == "Active":
                    return _Known(key.secret_access_key, None, _user_caller(user, account, access_key_id))
    return None


def _user_caller(user: Any, account: str, access_key_id: str) -> Caller:
    identity = [Policy.parse(f"user {user.name}:{name}", doc) for name, doc in user.policies.items()]
    for arn, managed in user.managed_policies.items():
        document = next(v.document for v in managed.versions if v.is_default)
        identity.append(Policy.parse(arn, str(document)))
    return Caller(access_key_id, user.arn, "", account, identity, user_id=user.id)


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    sessions: Sessions | None = None,
    origins: Origins | None = None,
    partition: str = "aws",
) -> tuple[Caller | None, str]:
    """(the caller, "") when ``headers``' SigV4 signature is one a known key made over this very request; else
    (None, why). ``url`` is the request's URL as received (scheme, host, raw path and query)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    lowered = {k.lower(): v for k, v in headers.items()}
    authorization = lowered.get("authorization")
    if not authorization:
        return None, "the request is not signed"
    parts = parse_authorization(authorization)
    if parts is None:
        return None, "the Authorization header is not Signature Version 4's"
    known = _known(parts["key"], sessions, origins, partition)
    if known is None:
        return None, f"the access key {parts['key']} is not one localaws issued"
    if known.token is not None and lowered.get("x-amz-security-token") != known.token:
        return None, "the security token does not belong to the access key"
    signed = parts["headers"].split(";")
    if "host" not in signed or "x-amz-date" not in lowered:
        return None, "Host and X-Amz-Date must be signed"
    request = AWSRequest(method=method, url=url, data=body, headers={k: v for k, v in lowered.items() if k in signed})
    request.context["timestamp"] = lowered["x-amz-date"]
    auth = SigV4Auth(Credentials(parts["key"], known.secret, known.token), parts["service"], parts["region"])
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, parts["signature"]):
        return None, "the signature does not match"
    return known.caller, ""
