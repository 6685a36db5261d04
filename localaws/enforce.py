"""Every request made with a function's role credentials authorised as AWS authorises it; the others untouched.

moto calls ``ActionAuthenticatorMixin._authenticate_and_authorize_action`` for every request it serves (S3 with the
bucket and key, the other services with their action); its own check is off (``INITIAL_NO_AUTH_ACTION_COUNT``).
Seam item 17 (seam/authorization.py) has it call ``Enforcer.authorize`` too: a request signed with an access key of
sessions.py -- a function's execution role -- is turned into the authorisations it needs (requestcontext.py), each
evaluated by policy.py against the role's inline and attached policies, its permissions boundary and the
resource's own policy, and written to the access record (access.py). moto's own bucket-policy check is off (seam
item 18): bucket policies are evaluated here, for functions' requests. A denial answers in the service's error
shape: S3's ``AccessDenied`` XML, ``AccessDeniedException`` for the JSON services (KMS, Secrets Manager, CloudWatch
Logs), ``AccessDenied`` for SQS, ``AuthorizationError`` for SNS.

Lambda itself acts with the role too: it delivers the function's logs (``logs:CreateLogStream``,
``logs:PutLogEvents``) and sends asynchronous invocations' records to their destination. ``Enforcer.deliver_logs``
and ``Enforcer.may_send`` decide those; as on Lambda, what the role may not do is lost silently.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from moto.core import exceptions as core_exceptions
from moto.s3 import exceptions as s3_exceptions
from werkzeug.exceptions import HTTPException

from . import requestcontext
from .access import Access, AccessRecord
from .origins import CLOUDFRONT, Origins
from .policy import Decision, Policy, Request, evaluate
from .requestcontext import Ask
from .sessions import Session, Sessions

log = logging.getLogger("localaws")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")


class JsonAccessDenied(core_exceptions.JsonRESTError):
    code = 403


class QueryAccessDenied(core_exceptions.AccessDeniedError):
    """The XML (query protocol) shape, with the service's own code."""

    def __init__(self, error_type: str, text: str) -> None:
        super(core_exceptions.AccessDeniedError, self).__init__(error_type, text)


class CloudFrontAccessDenied(HTTPException):
    """CloudFront's ``AccessDenied``: 403, its XML error shape."""

    code = 403

    def __init__(self, text: str) -> None:
        super().__init__()
        self.description = (
            '<?xml version="1.0"?>\n<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
            f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(text)}</Message></Error>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return str(self.description)

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "text/xml")]


def credential(headers: Any, querystring: Any) -> tuple[str, str, str] | None:
    """(access key ID, region, service) a request is signed with: its Authorization header or presigned query."""
    authorization = ""
    for name, value in dict(headers or {}).items():
        if name.lower() == "authorization":
            authorization = value
    if not authorization and querystring and querystring.get("X-Amz-Credential"):
        authorization = "Credential=" + querystring["X-Amz-Credential"][0] + "/"
    found = _CREDENTIAL.search(authorization)
    return (found.group(1), found.group(2), found.group(3)) if found else None


def role_policies(session: Session) -> tuple[list[Policy], Policy | None]:
    """The role's identity-based policies (inline, then attached) and its permissions boundary, as moto holds
    them now: a policy changed by ``terraform apply`` applies to the next request."""
    from moto.iam.models import iam_backends

    backend = iam_backends[session.account_id][session.role_arn.split(":")[1]]
    try:
        role = backend.get_role_by_arn(session.role_arn)
    except Exception:
        return [], None
    identity = [Policy.parse(f"{role.name}:{name}", doc) for name, doc in role.policies.items()]
    for arn, managed in role.managed_policies.items():
        identity.append(Policy.parse(arn, _default_document(managed)))
    boundary = None
    if role.permissions_boundary_arn:
        try:
            boundary = Policy.parse(
                f"boundary {role.permissions_boundary_arn}",
                _default_document(backend.get_policy(role.permissions_boundary_arn)),
            )
        except Exception:  # a boundary that does not exist allows nothing
            boundary = Policy(f"boundary {role.permissions_boundary_arn}", {"Statement": []})
    return identity, boundary


def _default_document(managed: Any) -> str:
    return str(next(v.document for v in managed.versions if v.is_default))


def message(session: Session, ask: Ask, decision: Decision) -> str:
    """AWS's wording: who, what, on which resource, and why."""
    why = (
        f"with an explicit deny in {decision.statement}"
        if decision.reason == "explicit deny"
        else f"because {decision.reason.removeprefix('implicit deny: ')}"
    )
    return f'User: {session.arn} is not authorized to perform: {ask.action} on resource: "{ask.resource}" {why}'


def denial(service: str, response: Any, text: str) -> Exception:
    """The service's own AccessDenied."""
    if service == "s3":
        bucket = getattr(response, "bucket_name", None)
        return s3_exceptions.BucketAccessDeniedError(bucket=bucket) if bucket else s3_exceptions.S3AccessDeniedError()
    if service == "sqs":
        return JsonAccessDenied("AccessDenied", text)
    if service == "sns":
        return QueryAccessDenied("AuthorizationError", text)
    if service in ("sts", "iam"):
        return QueryAccessDenied("AccessDenied", text)
    if service == "cloudfront":
        return CloudFrontAccessDenied(text)
    return JsonAccessDenied("AccessDeniedException", text)


def _exists(bucket_name: str, key: str) -> bool:
    from moto.s3.models import s3_backends

    for by_partition in list(s3_backends.values()):
        backend = by_partition.get("aws") if hasattr(by_partition, "get") else None
        bucket = backend.buckets.get(bucket_name) if backend is not None else None
        if bucket is not None:
            found = bucket.keys.get(key)
            return found is not None and type(found).__name__ != "FakeDeleteMarker"
    return False


class Enforcer:
    def __init__(self, sessions: Sessions, record: AccessRecord, origins: Origins | None = None) -> None:
        self.sessions = sessions
        self.record = record
        self.origins = origins  # CloudFront's origin keys: S3 requests signed with one are CloudFront's
        self._lock = threading.Lock()
        self._lambda_sessions: dict[tuple[str, str], Session] = {}

    def decide(self, session: Session, ask: Ask, caller: str = "function") -> Decision:
        identity, boundary = role_policies(session)
        request = ask.request(session)
        try:
            decision = evaluate(request, identity, boundary, ask.policy, key_policy=ask.key_policy)
        except ValueError as exc:  # a policy localaws cannot read: say so rather than guess
            decision = Decision(False, f"implicit deny: localaws cannot evaluate the policy ({exc})")
        self.record.add(
            Access(
                function=session.function_name,
                role=session.role_arn,
                action=ask.action,
                resource=ask.resource,
                allowed=decision.allowed,
                reason=decision.reason,
                statement=decision.statement,
                context={k: v for k, v in ask.context.items()},
                caller=caller,
            )
        )
        if not decision.allowed:
            log.info("localaws: %s", message(session, ask, decision))
        return decision

    def authorize(self, response: Any, resource: str) -> None:
        """The hook's work: nothing for credentials that are not a function's; else every ask allowed, or the
        service's AccessDenied."""
        signed = credential(getattr(response, "headers", None), getattr(response, "querystring", None))
        session = self.sessions.find(signed[0] if signed else None)
        if session is None and signed is not None and signed[2] == "s3" and self.origins is not None:
            origin = self.origins.find(signed[0])
            if origin is not None:
                self.authorize_origin_request(response, resource, origin[0], signed[1])
            return
        if session is None or signed is None:
            return
        _, region, service = signed
        for ask in requestcontext.asks(service, response, resource, session, region):
            decision = self.decide(session, ask)
            if not decision.allowed:
                raise denial(service, response, message(session, ask, decision))

    def authorize_origin_request(self, response: Any, resource: str, distribution_arn: str, region: str) -> None:
        """CloudFront reading an S3 origin behind an origin access control, for ``distribution_arn``: the bucket's
        policy must allow the service principal (with ``aws:SourceArn``); a key that does not exist is 403, not 404,
        unless it also allows ``s3:ListBucket``, as S3 answers. Not written to the access record (a function's)."""
        account = distribution_arn.split(":")[4]
        stand_in = Session(
            "", "", "", "", "cloudfront", "", account, region
        )  # whose account the bucket is looked up in
        asks = requestcontext.s3(response, resource, stand_in, region)
        bucket_name, _, key = resource.split(":::", 1)[-1].partition("/")
        if asks and asks[0].action in ("s3:GetObject", "s3:GetObjectVersion") and key and not _exists(bucket_name, key):
            first = asks[0]
            asks.append(
                Ask("s3:ListBucket", f"arn:aws:s3:::{bucket_name}", first.context, first.policy, first.resource_account)
            )
        for ask in asks:
            request = Request(
                ask.action,
                ask.resource,
                CLOUDFRONT,
                "",
                account,
                None,  # a service principal: the resource's policy decides
                {
                    "aws:SecureTransport": "true",  # CloudFront reaches S3 over HTTPS
                    "aws:SourceArn": distribution_arn,
                    "aws:SourceAccount": account,
                    "aws:CurrentTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    **ask.context,
                },
            )
            try:
                decision = evaluate(request, [], None, ask.policy, key_policy=ask.key_policy)
            except ValueError as exc:
                decision = Decision(False, f"implicit deny: localaws cannot evaluate the policy ({exc})")
            if not decision.allowed:
                text = f"{CLOUDFRONT} ({distribution_arn}) may not {ask.action} on {ask.resource}: {decision.reason}"
                log.info("localaws: %s", text)
                raise denial("s3", response, text)

    def lambda_session(self, fn: Any) -> Session:
        """The role session Lambda itself uses for ``fn`` (log delivery, destinations): one per function and role."""
        with self._lock:
            session = self._lambda_sessions.get((fn.function_arn, fn.role))
            if session is None:
                session = self._lambda_sessions[(fn.function_arn, fn.role)] = self.sessions.issue(fn)
        return session

    def deliver_logs(self, fn: Any, group: str, stream: str, new_stream: bool) -> bool:
        """Lambda writes the function's logs with its role: without logs:CreateLogStream (a new stream) and
        logs:PutLogEvents they are lost, silently, as on Lambda."""
        session = self.lambda_session(fn)
        base = f"arn:aws:logs:{fn.region}:{fn.account_id}:log-group:{group}:log-stream:{stream}"
        actions = (["logs:CreateLogStream"] if new_stream else []) + ["logs:PutLogEvents"]
        return all(self.decide(session, Ask(action, base), caller="lambda").allowed for action in actions)

    def may_send(self, fn: Any, arn: str) -> bool:
        """Lambda sends an asynchronous invocation's record to its destination with the function's role."""
        service = arn.split(":")[2]
        action = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction"}.get(service)
        if action is None:
            return True
        session = self.lambda_session(fn)
        region = arn.split(":")[3]
        asks = requestcontext.destination_asks(action, arn, session, region)
        return all(self.decide(session, ask, caller="lambda").allowed for ask in asks)
