"""The policy evaluator's decisions, one row per rule of the IAM User Guide it follows.

Sources (IAM User Guide): "Policy evaluation logic" and its pages "How AWS enforcement code logic evaluates
requests", "Policy evaluation for requests within a single account", "Cross-account policy evaluation logic",
"Permissions boundaries for IAM entities" (how a boundary limits identity and resource policies); "IAM JSON policy
elements: Condition operators" (missing keys, ...IfExists, Null, multiple values), "Multivalued context keys"
(ForAnyValue/ForAllValues); the KMS Developer Guide's "Key policies" (the key policy must allow; the account's
root principal hands the decision to IAM).
"""

from __future__ import annotations

from typing import Any

import pytest

from localaws.policy import Decision, Policy, Request, UnknownOperator, evaluate

ACCOUNT = "123456789012"
OTHER = "210987654321"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/thumbs"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/thumbs/thumbs"
OBJECT = "arn:aws:s3:::photos/uploads/cat.jpg"
BUCKET = "arn:aws:s3:::photos"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


def ask(action: str = "s3:GetObject", resource: str = OBJECT, **more: Any) -> Request:
    return Request(action, resource, SESSION, ROLE, ACCOUNT, **more)


# (id, request, identity statements, boundary statements or None, resource policy statements or None, key policy,
#  allowed, the statement named)
ROWS: list[tuple[str, Request, list[Any], list[Any] | None, list[Any] | None, bool, bool, str | None]] = [
    # -- "How AWS enforcement code logic evaluates requests": implicit deny, allow, explicit deny wins
    ("nothing allows: implicit deny", ask(), [], None, None, False, False, None),
    (
        "an identity policy allows",
        ask(),
        [allow("s3:GetObject", OBJECT, Sid="Read")],
        None,
        None,
        False,
        True,
        "role#Read",
    ),
    (
        "an explicit deny beats an allow",
        ask(),
        [allow("s3:*"), deny("s3:GetObject", OBJECT, Sid="No")],
        None,
        None,
        False,
        False,
        "role#No",
    ),
    (
        "a deny of another action does not apply",
        ask(),
        [allow("s3:*"), deny("s3:PutObject")],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    # -- Action, Resource: wildcards, case, Not*
    ("actions are case-insensitive", ask("s3:getobject"), [allow("S3:GetObject")], None, None, False, True, "role#0"),
    ("? matches one character", ask("s3:GetObject"), [allow("s3:?etObject")], None, None, False, True, "role#0"),
    (
        "resources are case-sensitive",
        ask(resource="arn:aws:s3:::photos/Uploads/cat.jpg"),
        [allow("s3:GetObject", "arn:aws:s3:::photos/uploads/*")],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "NotAction allows everything else",
        ask("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"),
        [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "NotResource denies everything else",
        ask(),
        [allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"}],
        None,
        None,
        False,
        False,
        "role#1",
    ),
    # -- permissions boundaries: the intersection with identity policies
    (
        "a boundary limits an identity allow",
        ask("s3:PutObject"),
        [allow("s3:*")],
        [allow("s3:GetObject")],
        None,
        False,
        False,
        None,
    ),
    (
        "identity and boundary both allow",
        ask(),
        [allow("s3:*", Sid="All")],
        [allow("s3:GetObject")],
        None,
        False,
        True,
        "role#All",
    ),
    ("a boundary alone grants nothing", ask(), [], [allow("s3:*")], None, False, False, None),
    (
        "a deny in the boundary wins",
        ask(),
        [allow("s3:*")],
        [allow("*"), deny("s3:GetObject", Sid="B")],
        None,
        False,
        False,
        "boundary#B",
    ),
    # -- resource-based policies within one account: the union; a deny anywhere wins
    (
        "a bucket policy naming the role allows alone",
        ask(),
        [],
        None,
        [allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE}, Sid="R")],
        False,
        True,
        "resource#R",
    ),
    (
        "... but the role's boundary still limits it",
        ask(),
        [],
        [allow("sqs:*")],
        [allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE})],
        False,
        False,
        None,
    ),
    (
        "a policy naming the session is not limited by the boundary",
        ask(),
        [],
        [allow("sqs:*")],
        [allow("s3:GetObject", OBJECT, Principal={"AWS": SESSION}, Sid="S")],
        False,
        True,
        "resource#S",
    ),
    (
        "a bucket policy naming the account delegates to IAM",
        ask(),
        [],
        None,
        [allow("s3:GetObject", OBJECT, Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        False,
        False,
        None,
    ),
    (
        "a bucket policy's deny beats the role's allow",
        ask(),
        [allow("s3:*", OBJECT)],
        None,
        [deny("s3:GetObject", OBJECT, Principal={"AWS": ROLE}, Sid="Block")],
        False,
        False,
        "resource#Block",
    ),
    (
        "a bucket policy's deny of * beats the role's allow",
        ask(),
        [allow("s3:*")],
        None,
        [deny("s3:*", [BUCKET, f"{BUCKET}/*"], Principal="*", Sid="All")],
        False,
        False,
        "resource#All",
    ),
    (
        "a bucket policy's deny of someone else does not apply",
        ask(),
        [allow("s3:*")],
        None,
        [deny("s3:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"})],
        False,
        True,
        "role#0",
    ),
    (
        "NotPrincipal: a deny of everyone but the role",
        ask(),
        [allow("s3:*")],
        None,
        [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "NotPrincipal": {"AWS": ROLE}}],
        False,
        True,
        "role#0",
    ),
    # -- across accounts: both sides must allow
    (
        "another account's bucket: the identity policy is not enough",
        ask(resource_account=OTHER),
        [allow("s3:*")],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "another account's bucket: both allow",
        ask(resource_account=OTHER),
        [allow("s3:*", Sid="I")],
        None,
        [allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE})],
        False,
        True,
        "role#I",
    ),
    (
        "another account's bucket: its policy alone is not enough",
        ask(resource_account=OTHER),
        [],
        None,
        [allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE})],
        False,
        False,
        None,
    ),
    # -- KMS: the key policy must allow
    (
        "a key policy that says nothing of us",
        ask("kms:Decrypt", KEY),
        [allow("kms:Decrypt")],
        None,
        [allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"})],
        True,
        False,
        None,
    ),
    (
        "a key policy naming the account hands over to IAM",
        ask("kms:Decrypt", KEY),
        [allow("kms:Decrypt", Sid="K")],
        None,
        [allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        True,
        True,
        "role#K",
    ),
    (
        "... and then IAM must allow",
        ask("kms:Decrypt", KEY),
        [],
        None,
        [allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        True,
        False,
        None,
    ),
    (
        "a key policy naming the role allows alone",
        ask("kms:Decrypt", KEY),
        [],
        None,
        [allow("kms:Decrypt", Principal={"AWS": ROLE}, Sid="Role")],
        True,
        True,
        "resource#Role",
    ),
    # -- Condition operators: present, missing, ...IfExists, Null, sets, several values and keys
    (
        "StringLike s3:prefix matches",
        ask("s3:ListBucket", BUCKET, context={"s3:prefix": "uploads/a.jpg"}),
        [allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["uploads/*"]}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "StringLike s3:prefix another prefix",
        ask("s3:ListBucket", BUCKET, context={"s3:prefix": "private/"}),
        [allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["uploads/*"]}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "a missing key makes a positive operator false",
        ask("s3:ListBucket", BUCKET),
        [allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["uploads/*"]}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "a missing key makes a negated operator true",
        ask(),
        [allow("s3:GetObject", Condition={"StringNotLike": {"aws:SourceArn": "arn:aws:s3:::x"}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "...IfExists holds when the key is missing",
        ask(),
        [allow("s3:GetObject", Condition={"StringEqualsIfExists": {"s3:ResourceAccount": OTHER}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "...IfExists tests a present key",
        ask(context={"s3:ResourceAccount": ACCOUNT}),
        [allow("s3:GetObject", Condition={"StringEqualsIfExists": {"s3:ResourceAccount": OTHER}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "Null true: the key is absent",
        ask(),
        [allow("s3:GetObject", Condition={"Null": {"aws:SourceArn": "true"}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "Null false: the key is present",
        ask(),
        [allow("s3:GetObject", Condition={"Null": {"aws:SourceArn": "false"}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "s3:ResourceAccount StringEquals",
        ask(context={"s3:ResourceAccount": ACCOUNT}),
        [allow("s3:GetObject", Condition={"StringEquals": {"s3:ResourceAccount": [ACCOUNT]}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "s3:ResourceAccount of another account",
        ask(context={"s3:ResourceAccount": OTHER}),
        [allow("s3:GetObject", Condition={"StringEquals": {"s3:ResourceAccount": [ACCOUNT]}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "several values of a key: any (OR)",
        ask(context={"s3:ResourceAccount": OTHER}),
        [allow("s3:GetObject", Condition={"StringEquals": {"s3:ResourceAccount": [ACCOUNT, OTHER]}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "a negated operator over several values: none (NOR)",
        ask(context={"s3:ResourceAccount": OTHER}),
        [allow("s3:GetObject", Condition={"StringNotEquals": {"s3:ResourceAccount": [ACCOUNT, OTHER]}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "several keys: all (AND)",
        ask(context={"s3:ResourceAccount": ACCOUNT, "aws:SecureTransport": "false"}),
        [
            allow(
                "s3:GetObject",
                Condition={"StringEquals": {"s3:ResourceAccount": ACCOUNT}, "Bool": {"aws:SecureTransport": "true"}},
            )
        ],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "keys are case-insensitive",
        ask(context={"S3:RESOURCEACCOUNT": ACCOUNT}),
        [allow("s3:GetObject", Condition={"StringEquals": {"s3:resourceaccount": ACCOUNT}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "a failed condition on an Allow is no deny",
        ask(context={"s3:ResourceAccount": ACCOUNT}),
        [
            allow("s3:GetObject", Condition={"StringEquals": {"s3:ResourceAccount": OTHER}}),
            allow("s3:GetObject", Sid="Plain"),
        ],
        None,
        None,
        False,
        True,
        "role#Plain",
    ),
    (
        "Bool aws:SecureTransport false: the TLS-only deny applies",
        ask(context={"aws:SecureTransport": "false"}),
        [allow("s3:*")],
        None,
        [deny("s3:*", "*", Principal="*", Condition={"Bool": {"aws:SecureTransport": False}}, Sid="DenyPlainHTTP")],
        False,
        False,
        "resource#DenyPlainHTTP",
    ),
    (
        "Bool aws:SecureTransport true: it does not",
        ask(context={"aws:SecureTransport": "true"}),
        [allow("s3:*")],
        None,
        [deny("s3:*", "*", Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}})],
        False,
        True,
        "role#0",
    ),
    (
        "kms:ViaService S3",
        ask("kms:Decrypt", KEY, context={"kms:ViaService": "s3.us-east-1.amazonaws.com"}),
        [allow("kms:Decrypt", KEY, Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})],
        None,
        [allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        True,
        True,
        "role#0",
    ),
    (
        "kms:ViaService: a direct call carries none",
        ask("kms:Decrypt", KEY),
        [allow("kms:Decrypt", KEY, Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})],
        None,
        [allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        True,
        False,
        None,
    ),
    (
        "ForAnyValue: one of the request's values",
        ask(context={"aws:TagKeys": ["a", "b"]}),
        [allow("s3:GetObject", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["b"]}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "ForAnyValue: a missing key is false",
        ask(),
        [allow("s3:GetObject", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["b"]}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "ForAllValues: every value must match",
        ask(context={"aws:TagKeys": ["a", "c"]}),
        [allow("s3:GetObject", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "ForAllValues: a missing key is true",
        ask(),
        [allow("s3:GetObject", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "NumericLessThan",
        ask(context={"s3:max-keys": "10"}),
        [allow("s3:GetObject", Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    (
        "DateLessThan",
        ask(context={"aws:CurrentTime": "2026-01-01T00:00:00Z"}),
        [allow("s3:GetObject", Condition={"DateLessThan": {"aws:CurrentTime": "2025-12-31T00:00:00Z"}})],
        None,
        None,
        False,
        False,
        None,
    ),
    (
        "IpAddress",
        ask(context={"aws:SourceIp": "127.0.0.1"}),
        [allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
    # -- a service principal in a queue policy (S3 sending an event): aws:SourceArn and aws:SourceAccount
    (
        "a queue policy admits the bucket's events",
        Request(
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:1:q",
            "s3.amazonaws.com",
            "",
            ACCOUNT,
            context={"aws:SourceArn": BUCKET, "aws:SourceAccount": ACCOUNT},
        ),
        [],
        None,
        [
            allow(
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:1:q",
                Principal={"Service": "s3.amazonaws.com"},
                Condition={
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::photos"},
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                },
                Sid="S3",
            )
        ],
        False,
        True,
        "resource#S3",
    ),
    (
        "... but not another bucket's",
        Request(
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:1:q",
            "s3.amazonaws.com",
            "",
            ACCOUNT,
            context={"aws:SourceArn": "arn:aws:s3:::elsewhere", "aws:SourceAccount": ACCOUNT},
        ),
        [],
        None,
        [
            allow(
                "sqs:SendMessage",
                "*",
                Principal={"Service": "s3.amazonaws.com"},
                Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::photos"}},
            )
        ],
        False,
        False,
        None,
    ),
    (
        "ArnLike compares part by part",
        ask(context={"aws:SourceArn": "arn:aws:sns:us-east-1:1:topic"}),
        [allow("s3:GetObject", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:*"}})],
        None,
        None,
        False,
        True,
        "role#0",
    ),
]


@pytest.mark.parametrize(
    ("request_", "identity", "boundary", "resource", "key_policy", "allowed", "statement"),
    [pytest.param(*row[1:], id=row[0]) for row in ROWS],
)
def test_decision(request_, identity, boundary, resource, key_policy, allowed, statement):
    decision = evaluate(
        request_,
        [Policy("role", doc(*identity))],
        Policy("boundary", doc(*boundary)) if boundary is not None else None,
        Policy("resource", doc(*resource)) if resource is not None else None,
        key_policy=key_policy,
    )
    assert (decision.allowed, decision.statement) == (allowed, statement), decision


def test_a_denial_says_which_policy_type_is_missing():
    boundary = Policy("boundary", doc(allow("sqs:*")))
    assert evaluate(ask(), [Policy("role", doc(allow("s3:*")))], boundary) == Decision(
        False, "implicit deny: the permissions boundary does not allow it"
    )
    assert evaluate(ask(), []).reason == "implicit deny: no identity-based policy allows it"


def test_an_unknown_operator_is_an_error_not_a_silent_decision():
    with pytest.raises(UnknownOperator):
        evaluate(ask(), [Policy("role", doc(allow("s3:*", Condition={"StringSoundsLike": {"a": "b"}})))])
