"""AWS's policy evaluation logic, for a request made by an IAM role session: identity-based policies (inline and
attached), the role's permissions boundary, and the resource's own policy (a bucket, queue, topic, secret or key).

It follows the IAM User Guide's "Policy evaluation logic" (within one account and across accounts) and "IAM JSON
policy elements" (Action/NotAction, Resource/NotResource, Principal, Condition and its operators):

1. An explicit ``Deny`` in any of them decides: denied.
2. Within one account, a resource policy that names the role session (or the role, or ``*``) grants the request by
   itself; one that names the role or ``*`` is still limited by the permissions boundary (a session named directly
   is not). A KMS key is the exception: its key policy must allow, directly or by naming the account (which hands
   the decision to IAM).
3. Otherwise an identity-based policy must allow it and, where the role has one, so must its permissions boundary.
4. Across accounts, both the identity side and the resource's policy must allow.

Conditions: the string, ARN, numeric, date, boolean, IP address and ``Null`` operators, each with ``...IfExists``,
and the ``ForAnyValue:``/``ForAllValues:`` set prefixes; keys are case-insensitive; a key missing from the request
makes a positive operator false and a negated one true. Not modelled: policy variables (``${aws:username}``), SCPs,
RCPs and session policies (localaws has no organization and Lambda passes no session policy).

Why our own and not moto's (``moto.iam.access_control``): moto's treats a failed condition of an ``Allow`` as a
deny, knows one condition operator family, no ``NotResource``, no ``?`` wildcard, no permissions boundary and no
resource policies; the maintained evaluators (iam-simulate, Cedar) are not Python.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Policy:
    """A policy document and the name it is reported by (``role:thumbnails``, ``bucket policy of photos``)."""

    name: str
    document: Mapping[str, Any]

    @classmethod
    def parse(cls, name: str, document: str | Mapping[str, Any]) -> Policy:
        return cls(name, json.loads(document) if isinstance(document, str) else document)

    def statements(self) -> list[tuple[str, Mapping[str, Any]]]:
        """(label, statement): the label is ``name#Sid``, or ``name#index`` for a statement without a Sid."""
        found = self.document.get("Statement", [])
        statements = [found] if isinstance(found, Mapping) else list(found)
        return [(f"{self.name}#{s.get('Sid') or i}", s) for i, s in enumerate(statements)]


@dataclass(frozen=True)
class Request:
    """What is asked, by whom, on what, in which context (the condition keys and their values)."""

    action: str  # service:Operation
    resource: str  # an ARN
    principal: str  # the session's ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), or a service's name
    role: str  # the role's ARN (arn:aws:iam::ACCOUNT:role/PATH/ROLE); "" for a service
    account: str  # the principal's account
    resource_account: str | None = None  # None: the principal's
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        """The key's values (keys are case-insensitive), None when the request does not carry it."""
        for name, value in self.context.items():
            if name.lower() == key.lower():
                return [value] if isinstance(value, str) else list(value)
        return None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "allowed", "explicit deny", "implicit deny: ..."
    statement: str | None = None  # the statement that allowed or denied it (policy#Sid)


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    """A policy wildcard (``*`` any run, ``?`` one character) as a regular expression."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(glob: str, value: str, ignore_case: bool = False) -> bool:
    return _pattern(glob, ignore_case).match(value) is not None


def _listed(element: Any) -> list[Any]:
    return element if isinstance(element, list) else [element]


def _action_applies(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(matches(a, action, ignore_case=True) for a in _listed(statement["NotAction"]))
    return any(matches(a, action, ignore_case=True) for a in _listed(statement.get("Action", [])))


def _resource_applies(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(matches(r, resource) for r in _listed(statement["NotResource"]))
    if "Resource" not in statement:  # a resource policy may leave it out: the resource it is attached to
        return True
    return any(matches(r, resource) for r in _listed(statement["Resource"]))


def principal_match(statement: Mapping[str, Any], request: Request) -> str | None:
    """How a resource policy's statement names the requester: "session" (its ARN), "role", "everyone" (``*``),
    "account" (the account's ID or root: the decision is IAM's), or None (not named)."""
    if "NotPrincipal" in statement:
        named = principal_match({"Principal": statement["NotPrincipal"]}, request)
        return None if named else "everyone"
    principal = statement.get("Principal")
    if principal is None:
        return None
    if principal == "*":
        return "everyone"
    if not isinstance(principal, Mapping):
        return None
    if request.principal in _listed(principal.get("Service", [])):  # a service acting (S3 sending to a queue)
        return "session"
    for given in _listed(principal.get("AWS", [])):
        if given == "*":
            return "everyone"
        if given == request.principal:
            return "session"
        if given == request.role:
            return "role"
        if given in (request.account, f"arn:aws:iam::{request.account}:root"):
            return "account"
    return None


# -- conditions ---------------------------------------------------------------------------------------------------


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ordered(parse: Any, compare: Any) -> Any:
    def test(given: str, wanted: str) -> bool:
        a, b = parse(given), parse(wanted)
        return a is not None and b is not None and bool(compare(a, b))

    return test


def _arn_like(given: str, wanted: str) -> bool:
    """ARN operators compare the six colon-separated parts one by one, each with wildcards."""
    got, want = given.split(":", 5), wanted.split(":", 5)
    return len(got) == len(want) == 6 and all(matches(w, g) for g, w in zip(got, want, strict=True))


def _ip(given: str, wanted: str) -> bool:
    try:
        return ipaddress.ip_address(given) in ipaddress.ip_network(wanted, strict=False)
    except ValueError:
        return False


# operator -> (test of one request value against one policy value, negated)
_OPERATORS: dict[str, tuple[Any, bool]] = {
    "stringequals": (lambda g, w: g == w, False),
    "stringnotequals": (lambda g, w: g == w, True),
    "stringequalsignorecase": (lambda g, w: g.lower() == w.lower(), False),
    "stringnotequalsignorecase": (lambda g, w: g.lower() == w.lower(), True),
    "stringlike": (lambda g, w: matches(w, g), False),
    "stringnotlike": (lambda g, w: matches(w, g), True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
    "numericequals": (_ordered(_number, lambda a, b: a == b), False),
    "numericnotequals": (_ordered(_number, lambda a, b: a == b), True),
    "numericlessthan": (_ordered(_number, lambda a, b: a < b), False),
    "numericlessthanequals": (_ordered(_number, lambda a, b: a <= b), False),
    "numericgreaterthan": (_ordered(_number, lambda a, b: a > b), False),
    "numericgreaterthanequals": (_ordered(_number, lambda a, b: a >= b), False),
    "dateequals": (_ordered(_date, lambda a, b: a == b), False),
    "datenotequals": (_ordered(_date, lambda a, b: a == b), True),
    "datelessthan": (_ordered(_date, lambda a, b: a < b), False),
    "datelessthanequals": (_ordered(_date, lambda a, b: a <= b), False),
    "dategreaterthan": (_ordered(_date, lambda a, b: a > b), False),
    "dategreaterthanequals": (_ordered(_date, lambda a, b: a >= b), False),
    "bool": (lambda g, w: g.lower() == w.lower(), False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
}


class UnknownOperator(ValueError):
    pass


def _condition_holds(operator: str, key: str, wanted: Any, request: Request) -> bool:
    name = operator.lower()
    qualifier = ""
    if ":" in name:
        qualifier, name = name.split(":", 1)
    given = request.value(key)
    wanted_values = [str(w).lower() if isinstance(w, bool) else str(w) for w in _listed(wanted)]
    if name == "null":  # "true": the key is absent
        return any((given is None) == (w.lower() == "true") for w in wanted_values)
    if_exists = name.endswith("ifexists")
    name = name.removesuffix("ifexists")
    if name not in _OPERATORS:
        raise UnknownOperator(operator)
    test, negated = _OPERATORS[name]

    def one(value: str) -> bool:
        hit = any(test(value, w) for w in wanted_values)
        return not hit if negated else hit

    if given is None or (qualifier and not given):
        if if_exists:
            return True
        if qualifier == "forallvalues":
            return True  # vacuously: every one of no values matches
        return negated and not qualifier
    if qualifier == "forallvalues":
        return all(one(v) for v in given)
    if qualifier == "foranyvalue":
        return any(one(v) for v in given)
    return any(one(v) for v in given) if not negated else all(one(v) for v in given)


def conditions_hold(statement: Mapping[str, Any], request: Request) -> bool:
    """Every operator block, every key in it (AND); any of a key's values (OR), as the IAM User Guide says."""
    return all(
        _condition_holds(operator, key, wanted, request)
        for operator, keys in statement.get("Condition", {}).items()
        for key, wanted in keys.items()
    )


# -- the decision -------------------------------------------------------------------------------------------------


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    return (
        _action_applies(statement, request.action)
        and _resource_applies(statement, request.resource)
        and conditions_hold(statement, request)
    )


def _first(policies: Iterable[Policy], request: Request, effect: str, resource_policy: bool = False) -> list[Any]:
    """(label, how the principal is named) of each statement of ``effect`` that applies to ``request``."""
    found = []
    for policy in policies:
        for label, statement in policy.statements():
            if statement.get("Effect") != effect or not _applies(statement, request):
                continue
            named = principal_match(statement, request) if resource_policy else "identity"
            if named is not None:
                found.append((label, named))
    return found


def evaluate(
    request: Request,
    identity: Sequence[Policy],
    boundary: Policy | None = None,
    resource: Policy | None = None,
    *,
    key_policy: bool = False,
) -> Decision:
    """AWS's decision on ``request``. ``key_policy``: ``resource`` is a KMS key policy, which must allow."""
    resources = [resource] if resource is not None else []
    denied = (
        _first(identity, request, "Deny")
        + _first([boundary] if boundary else [], request, "Deny")
        + _first(resources, request, "Deny", resource_policy=True)
    )
    if denied:
        return Decision(False, "explicit deny", denied[0][0])
    granted = _first(identity, request, "Allow")
    bounded = boundary is None or bool(_first([boundary], request, "Allow"))
    by_resource = _first(resources, request, "Allow", resource_policy=True)
    direct = [(label, how) for label, how in by_resource if how != "account"]
    delegated = [label for label, how in by_resource if how == "account"]
    same_account = request.resource_account in (None, request.account)

    if key_policy:  # a key's policy must allow, directly or by handing the decision to IAM
        for label, how in direct:
            if how == "session" or bounded:
                return Decision(True, "allowed", label)
        if delegated and granted and bounded:
            return Decision(True, "allowed", granted[0][0])
        if not by_resource:
            return Decision(False, "implicit deny: the key policy does not allow it")
        return Decision(False, "implicit deny: no identity-based policy allows it")
    if same_account:
        for label, how in direct:
            if how == "session" or bounded:
                return Decision(True, "allowed", label)
        if granted and bounded:
            return Decision(True, "allowed", granted[0][0])
    elif granted and bounded and (direct or delegated):
        return Decision(True, "allowed", granted[0][0])
    if granted and not bounded:
        return Decision(False, "implicit deny: the permissions boundary does not allow it")
    if granted:
        return Decision(False, "implicit deny: the resource's policy (another account's) does not allow it")
    return Decision(False, "implicit deny: no identity-based policy allows it")
