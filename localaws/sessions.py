"""Temporary credentials of a function's execution role, one set per execution environment, as Lambda gives them.

Lambda assumes the execution role for each execution environment and hands the function the session's
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN``; the session is named for the function,
so ``sts get-caller-identity`` inside it answers ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION``. Here moto's STS
issues the session (AssumeRole, as Lambda's service principal would) and this registry remembers which access keys
are functions' sessions: requests signed with them are authorised by enforce.py; every other key (Terraform's, the
tests', the CLI's) keeps moto's full access.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

SESSION_SECONDS = 43200  # Lambda's credentials outlive the longest invocation (900 s); renewal is not modelled


@dataclass(frozen=True)
class Session:
    access_key_id: str
    secret_access_key: str
    session_token: str
    role_arn: str
    function_name: str
    function_arn: str
    account_id: str
    region: str

    @property
    def arn(self) -> str:
        """The session's principal ARN (a role's path is not part of it)."""
        partition = self.role_arn.split(":")[1]
        role_name = self.role_arn.rsplit("/", 1)[-1]
        return f"arn:{partition}:sts::{self.account_id}:assumed-role/{role_name}/{self.function_name}"

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


class Sessions:
    """The functions' sessions this endpoint issued, by access key ID."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, Session] = {}

    def issue(self, fn: Any) -> Session:
        """A new session of ``fn``'s role for one execution environment (moto's STS AssumeRole)."""
        from moto.sts.models import sts_backends
        from moto.utilities.utils import get_partition

        account_id: str = fn.account_id
        region: str = fn.region
        backend = sts_backends[account_id][get_partition(region)]
        assumed = backend.assume_role(
            region_name=region,
            role_session_name=fn.function_name,
            role_arn=fn.role,
            policy="",
            duration=SESSION_SECONDS,
            external_id="",
        )
        session = Session(
            access_key_id=assumed.access_key_id,
            secret_access_key=assumed.secret_access_key,
            session_token=assumed.session_token,
            role_arn=fn.role,
            function_name=fn.function_name,
            function_arn=fn.function_arn,
            account_id=account_id,
            region=region,
        )
        with self._lock:
            self._by_key[session.access_key_id] = session
        return session

    def find(self, access_key_id: str | None) -> Session | None:
        if not access_key_id:
            return None
        with self._lock:
            return self._by_key.get(access_key_id)
