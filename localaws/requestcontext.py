"""What a request asks, in IAM's terms: the action, the resource's ARN, the condition keys, the resource's policy.

One function per service the module's functions call (S3, SQS, SNS, Secrets Manager, KMS, CloudWatch Logs, STS,
CloudFront's invalidations);
any other service is asked about as ``service:Operation`` on ``*`` with the identity's policies only. A request may
need several authorisations: ``DeleteObjects`` one ``s3:DeleteObject`` per key, and reading an SSE-KMS object or a
secret under a customer key a ``kms:Decrypt`` too, with ``kms:ViaService`` naming the service that asks KMS.

The keys given to every request: ``aws:SecureTransport`` (``false``: localaws speaks plain HTTP),
``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:CurrentTime``, ``aws:EpochTime``, ``aws:RequestedRegion``;
S3 adds ``s3:ResourceAccount`` (the bucket owner's account) and, for listings, ``s3:prefix``, ``s3:delimiter`` and
``s3:max-keys``.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from .policy import Policy, Request
from .sessions import Session


@dataclass(frozen=True)
class Ask:
    """One authorisation a request needs."""

    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    policy: Policy | None = None  # the resource's own policy
    resource_account: str | None = None
    key_policy: bool = False  # ``policy`` is a KMS key policy (it must allow)

    def request(self, session: Session) -> Request:
        now = datetime.now(UTC)
        context: dict[str, str | list[str]] = {
            "aws:SecureTransport": "false",
            "aws:PrincipalArn": session.role_arn,
            "aws:PrincipalAccount": session.account_id,
            "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(time.time())),
            "aws:RequestedRegion": session.region,
            **self.context,
        }
        return Request(
            self.action,
            self.resource,
            session.arn,
            session.role_arn,
            session.account_id,
            self.resource_account,
            context,
        )


def param(response: Any, name: str) -> Any:
    """A request parameter, wherever the protocol put it (query string, JSON body, parsed parameters)."""
    value = (getattr(response, "querystring", None) or {}).get(name)
    if value:
        return value[0] if isinstance(value, list) else value
    body = getattr(response, "body", None)
    if body:
        try:
            loaded = json.loads(body)
        except (ValueError, TypeError):
            loaded = None
        if isinstance(loaded, dict) and name in loaded:
            return loaded[name]
    params = getattr(response, "params", None)
    if isinstance(params, Mapping) and name in params:
        return params[name]
    return None


def _policy(name: str, document: Any) -> Policy | None:
    if not document:
        return None
    if isinstance(document, bytes):
        document = document.decode()
    return Policy.parse(name, document)


# -- KMS: the key behind an ID, alias or ARN -----------------------------------------------------------------------


def kms_key(account_id: str, region: str, key_id: str) -> Any | None:
    from moto.kms.models import kms_backends

    backend = kms_backends[account_id][region]
    try:
        return backend.keys[backend.any_id_to_key_id(key_id)]
    except Exception:  # an AWS-managed key (aws/s3) moto does not hold, or none
        return None


def kms_ask(account_id: str, region: str, action: str, key_id: str, via: str | None) -> Ask | None:
    key = kms_key(account_id, region, key_id)
    if key is None:
        return None
    context = {"kms:ViaService": f"{via}.{region}.amazonaws.com"} if via else {}
    return Ask(action, key.arn, context, _policy(f"key policy of {key.id}", key.policy), key.account_id, True)


# -- one function per service -----------------------------------------------------------------------------------


def s3(response: Any, resource: str, session: Session, region: str) -> list[Ask]:
    from moto.s3.models import s3_backends

    action = "s3:" + str(response.data.get("Action") or response._get_action())
    path = resource.split(":::", 1)[1] if ":::" in resource else ""
    bucket_name, _, key = path.partition("/")
    try:
        bucket = s3_backends[session.account_id]["aws"].get_bucket(bucket_name)
    except Exception:  # no such bucket: S3 answers that itself
        bucket = None
    context: dict[str, str | list[str]] = {}
    owner = bucket.account_id if bucket is not None else None
    if owner:
        context["s3:ResourceAccount"] = owner
    if action in ("s3:ListBucket", "s3:ListBucketVersions"):
        for name in ("prefix", "delimiter", "max-keys"):
            if (value := param(response, name)) is not None:
                context[f"s3:{name}"] = str(value)
    policy = _policy(f"bucket policy of {bucket_name}", getattr(bucket, "policy", None))
    if action == "s3:DeleteObject" and not key:  # DeleteObjects: each key is a DeleteObject of its own
        keys = [k.text or "" for k in ElementTree.fromstring(response.body or b"<Delete/>").iter() if _tag(k) == "Key"]
        return [Ask(action, f"{resource}/{k}", context, policy, owner) for k in keys]
    asks = [Ask(action, resource, context, policy, owner)]
    if action == "s3:PutObject" and _header(response, "x-amz-tagging"):  # tags on a write need their own action
        asks.append(Ask("s3:PutObjectTagging", resource, context, policy, owner))
    if bucket is not None and key:
        asks += _s3_kms(response, action, bucket, key, session, region)
    return asks


def _header(response: Any, name: str) -> str | None:
    return {k.lower(): v for k, v in dict(response.headers or {}).items()}.get(name)


def _tag(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _s3_kms(response: Any, action: str, bucket: Any, key: str, session: Session, region: str) -> list[Ask]:
    """S3 asks KMS with the caller's permissions: kms:Decrypt to read an SSE-KMS object, kms:GenerateDataKey to
    write one (the request's own header, or the bucket's default encryption)."""
    key_id: str | None = None
    if action in ("s3:GetObject", "s3:GetObjectVersion"):
        stored = bucket.keys.get(key)
        if stored is not None and getattr(stored, "encryption", None) == "aws:kms":
            key_id, kms_action = stored.kms_key_id, "kms:Decrypt"
    elif action == "s3:PutObject":
        if _header(response, "x-amz-server-side-encryption") == "aws:kms":
            key_id = _header(response, "x-amz-server-side-encryption-aws-kms-key-id")
        else:
            rules = (getattr(bucket, "encryption", None) or {}).get("Rule", [])
            for rule in rules if isinstance(rules, list) else [rules]:
                default = rule.get("ApplyServerSideEncryptionByDefault", {})
                if default.get("SSEAlgorithm") == "aws:kms":
                    key_id = default.get("KMSMasterKeyID")
        kms_action = "kms:GenerateDataKey"
    if not key_id:
        return []
    ask = kms_ask(bucket.account_id, region, kms_action, key_id, via="s3")
    return [ask] if ask else []


def sqs(response: Any, session: Session, region: str) -> list[Ask]:
    from moto.sqs.models import sqs_backends

    action = "sqs:" + response._get_action()
    url = param(response, "QueueUrl")
    if not url:
        return [Ask(action, "*")]
    account = urlparse(url).path.strip("/").split("/")[0] or session.account_id
    try:
        queue = sqs_backends[account][region].get_queue(url.rstrip("/").rsplit("/", 1)[-1])
    except Exception:
        return [Ask(action, f"arn:aws:sqs:{region}:{account}:{url.rsplit('/', 1)[-1]}")]
    return [Ask(action, queue.queue_arn, {}, _policy(f"queue policy of {queue.name}", queue.policy), account)]


def sns(response: Any, session: Session, region: str) -> list[Ask]:
    from moto.sns.models import sns_backends

    action = "sns:" + response._get_action()
    arn = param(response, "TopicArn") or param(response, "TargetArn")
    if not arn:
        return [Ask(action, "*")]
    account = arn.split(":")[4]
    try:
        topic = sns_backends[account][region].get_topic(arn)
    except Exception:
        return [Ask(action, arn)]
    return [Ask(action, arn, {}, _policy(f"topic policy of {topic.name}", topic._policy_json), account)]


def secretsmanager(response: Any, session: Session, region: str) -> list[Ask]:
    from moto.secretsmanager.models import secretsmanager_backends

    action = "secretsmanager:" + response._get_action()
    secret_id = param(response, "SecretId")
    secrets = secretsmanager_backends[session.account_id][region].secrets
    secret: Any = secrets.get(secret_id) if secret_id else None
    if secret is None:
        return [Ask(action, "*" if not secret_id else str(secret_id))]
    asks = [Ask(action, secret.arn, {}, _policy(f"secret policy of {secret.name}", secret.policy), session.account_id)]
    if action == "secretsmanager:GetSecretValue" and getattr(secret, "kms_key_id", None):
        if ask := kms_ask(session.account_id, region, "kms:Decrypt", secret.kms_key_id, via="secretsmanager"):
            asks.append(ask)
    return asks


def kms(response: Any, session: Session, region: str) -> list[Ask]:
    action = "kms:" + response._get_action()
    key_id = param(response, "KeyId")
    if not key_id and (blob := param(response, "CiphertextBlob")):
        import base64

        from moto.kms.utils import _deserialize_ciphertext_blob

        try:
            key_id = _deserialize_ciphertext_blob(base64.b64decode(blob)).key_id.decode()
        except Exception:
            key_id = None
    ask = kms_ask(session.account_id, region, action, key_id, via=None) if key_id else None
    return [ask or Ask(action, "*")]


def logs(response: Any, session: Session, region: str) -> list[Ask]:
    action = "logs:" + response._get_action()
    group, stream = param(response, "logGroupName"), param(response, "logStreamName")
    base = f"arn:aws:logs:{region}:{session.account_id}:log-group:{group}"
    if group and stream:
        return [Ask(action, f"{base}:log-stream:{stream}")]
    return [Ask(action, f"{base}:*" if group else "*")]


_DISTRIBUTION = re.compile(r"/distribution/([A-Za-z0-9]+)")


def cloudfront(response: Any, session: Session, region: str) -> list[Ask]:
    """CloudFront's distribution operations (``CreateInvalidation`` among them) are on the distribution's ARN."""
    action = "cloudfront:" + response._get_action()
    found = _DISTRIBUTION.search(str(getattr(response, "path", "") or ""))
    if not found:
        return [Ask(action, "*")]
    return [Ask(action, f"arn:aws:cloudfront::{session.account_id}:distribution/{found.group(1)}")]


def destination_asks(action: str, arn: str, session: Session, region: str) -> list[Ask]:
    """Lambda sending an invocation record to a queue, topic or function with the role (its resource policy too)."""
    service = arn.split(":")[2]
    if service == "sqs":
        from moto.sqs.models import sqs_backends

        name, account = arn.split(":")[5], arn.split(":")[4]
        try:
            queue = sqs_backends[account][region].get_queue(name)
        except Exception:
            return [Ask(action, arn)]
        return [Ask(action, arn, {}, _policy(f"queue policy of {name}", queue.policy), account)]
    if service == "sns":
        from moto.sns.models import sns_backends

        try:
            topic = sns_backends[arn.split(":")[4]][region].get_topic(arn)
        except Exception:
            return [Ask(action, arn)]
        return [Ask(action, arn, {}, _policy(f"topic policy of {topic.name}", topic._policy_json), arn.split(":")[4])]
    return [Ask(action, arn)]


def asks(service: str, response: Any, resource: str, session: Session, region: str) -> list[Ask]:
    """Every authorisation ``response``'s request needs (an empty list: none, as GetCallerIdentity)."""
    if service == "s3":
        return s3(response, resource, session, region)
    if service == "sts" and response._get_action() == "GetCallerIdentity":
        return []  # "No permissions are required to perform this operation."
    by_service = {
        "sqs": sqs, "sns": sns, "secretsmanager": secretsmanager, "kms": kms, "logs": logs, "cloudfront": cloudfront
    }  # fmt: skip
    if service in by_service:
        return by_service[service](response, session, region)
    return [Ask(f"{service}:{response._get_action()}", resource or "*")]
