"""Where the catalogue's database is and how to log in: a Secrets Manager secret, or (discouraged) DB_* variables.

The secret is the JSON that Secrets Manager keeps for RDS (``host``, ``port``, ``username``, ``password``, and
``dbname`` when present). A secret that RDS manages for its master user holds only ``username`` and ``password``:
the module's database.host, .port and .name (DATABASE_HOST, DATABASE_PORT, DATABASE_NAME) say where the database
is, and win over the secret's own keys when given.

It is fetched once per execution environment and kept for ``ttl`` seconds; after an authentication failure the
catalogue asks for it again once (``refresh``): the password was rotated.

Why not AWS's caching library (aws-secretsmanager-caching): it calls DescribeSecret before every GetSecretValue,
which needs a second permission on the secret, and its forced refresh sleeps 2.5-5 s to add jitter -- inside an
invocation that is waiting on the database. This is the part of it the function needs: a value with an age.

A value never reaches a log line or an exception message: errors name the secret's ARN and the key, not values.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..aws.logs import log
from ..errors import CredentialsError

TTL_SECONDS = 900  # rotation is caught sooner, by the refresh after a failed login
_REQUIRED = ("host", "username", "password")
FALLBACK_VARIABLES = ("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME")


@dataclass(frozen=True)
class Endpoint:
    """Where the database is, when the configuration says so rather than the secret (None: the secret's)."""

    host: str | None = None
    port: int | None = None
    database: str | None = None


@dataclass(frozen=True)
class Login:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str | None = None  # None: the catalogue's connection names none (the secret had no dbname)


def parse_secret(text: str | None, arn: str, endpoint: Endpoint = Endpoint()) -> Login:
    """The login in a secret's JSON (``endpoint`` wins where it says); errors name the ARN and the missing key,
    never a value."""
    try:
        data = json.loads(text or "")
    except ValueError:
        raise CredentialsError(f"secret {arn} is not JSON (expected host, port, username, password, dbname)") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"secret {arn} is not a JSON object (expected host, port, username, password)")
    if endpoint.host:
        data = {**data, "host": endpoint.host}
    missing = [key for key in _REQUIRED if not data.get(key)]
    if missing:
        where = " (or give the module's database.host)" if "host" in missing else ""
        raise CredentialsError(f"secret {arn} has no {', '.join(missing)}{where}")
    database = endpoint.database or data.get("dbname")
    return Login(
        host=str(data["host"]),
        port=endpoint.port or _port(data.get("port"), f"secret {arn}: port"),
        user=str(data["username"]),
        password=str(data["password"]),
        database=str(database) if database else None,
    )


def _port(raw: Any, what: str) -> int:
    if raw in (None, ""):
        return 3306
    try:
        port = int(raw)
    except (TypeError, ValueError):
        raise CredentialsError(f"{what} must be a port number between 1 and 65535") from None
    if not 1 <= port <= 65535:
        raise CredentialsError(f"{what} must be a port number between 1 and 65535")
    return port


class SecretLogin:
    """The login kept in a Secrets Manager secret, fetched with ``client`` and kept ``ttl`` seconds."""

    def __init__(
        self,
        client: Any,
        arn: str,
        endpoint: Endpoint = Endpoint(),
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client = client
        self.arn = arn
        self.endpoint = endpoint
        self.ttl = ttl
        self.clock = clock
        self._login: Login | None = None
        self._fetched = 0.0

    def get(self) -> Login:
        if self._login is None or self.clock() - self._fetched >= self.ttl:
            self.refresh()
        assert self._login is not None
        return self._login

    def refresh(self) -> Login:
        """Fetch the secret now (its AWSCURRENT version)."""
        response = self.client.get_secret_value(SecretId=self.arn)
        self._login = parse_secret(response.get("SecretString"), self.arn, self.endpoint)
        self._fetched = self.clock()
        return self._login


class EnvironmentLogin:
    """The DB_* variables: for local development only. Says so once per execution environment."""

    def __init__(self, environ: Mapping[str, str]):
        self._login = Login(
            host=environ["DB_HOST"],
            port=_port(environ.get("DB_PORT"), "DB_PORT"),
            user=environ.get("DB_USER", ""),
            password=environ.get("DB_PASSWORD", ""),
            database=environ.get("DB_NAME") or None,
        )
        if not self._login.user:
            raise CredentialsError("DB_USER must be set with DB_HOST (the catalogue's database user)")
        log(
            logging.WARNING,
            "catalogue credentials come from DB_* environment variables: for local development only; in AWS, "
            "give the module's database.secret_arn (Secrets Manager) so no password sits in the configuration",
            variables=[name for name in FALLBACK_VARIABLES if name in environ],
        )

    def get(self) -> Login:
        return self._login

    def refresh(self) -> Login:
        return self._login
