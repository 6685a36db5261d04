"""What a job's role may do, judged from its trust policy and its policies in moto's IAM.

Batch Operations assumes the job's role (it must trust ``batchoperations.s3.amazonaws.com``; an
``aws:SourceAccount`` condition must name the job's account) and acts as that role: it reads the manifest, invokes
the function, writes the report. moto's own policy evaluator (``moto.iam.access_control.IAMPolicy``) decides each
action; an explicit Deny wins, and anything not allowed is denied, as IAM decides within one account.
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.iam.models import iam_backends

SERVICE = "batchoperations.s3.amazonaws.com"


class Role:
    def __init__(self, account_id: str, arn: str) -> None:
        self.account_id = account_id
        self.arn = arn
        self.name = arn.rsplit("/", 1)[-1]
        backend = iam_backends[account_id]["aws"]
        self._role: Any = None
        try:
            self._role = backend.get_role(self.name)
        except Exception:  # moto's NoSuchEntity
            self._role = None
        self._policies: list[Any] = []
        if self._role is not None:
            for name in backend.list_role_policies(self.name):
                self._policies.append(backend.get_role_policy(self.name, name)[1])
            self._policies += backend.list_attached_role_policies(self.name)[0]

    def assumable(self) -> str | None:
        """None when Batch Operations may assume the role; else why not, as the job's failure reason."""
        if self._role is None:
            return f"The role {self.arn} does not exist."
        trust = json.loads(self._role.assume_role_policy_document or "{}")
        statements = trust.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            services = (statement.get("Principal") or {}).get("Service", [])
            services = [services] if isinstance(services, str) else services
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if statement.get("Effect") == "Allow" and SERVICE in services and "sts:AssumeRole" in actions:
                single = IAMPolicy(json.dumps({"Statement": [{**statement, "Principal": None}]}))
                allowed = single.is_action_permitted("sts:AssumeRole", "*", None, self._context(self.account_id))
                if allowed == PermissionResult.PERMITTED:
                    return None
        return f"Batch Operations ({SERVICE}) may not assume the role {self.arn}: its trust policy does not allow it."

    def may(self, action: str, resource: str, resource_account: str | None = None) -> bool:
        context = self._context(resource_account or self.account_id)
        results = []
        for policy in self._policies:
            try:
                results.append(IAMPolicy(policy).is_action_permitted(action, resource, None, context))
            except Exception:  # a condition operator moto cannot evaluate: not an allow
                results.append(PermissionResult.NEUTRAL)
        return PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results

    def _context(self, resource_account: str) -> dict[str, str]:
        return {"aws:SourceAccount": self.account_id, "s3:ResourceAccount": resource_account}
