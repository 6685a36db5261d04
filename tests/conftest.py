"""What every test session shares: the measured figures tests record are printed at the end of the run, and a
private MariaDB server for the tests that need one."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pymysql
import pytest
from pytest_mysql import factories


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print each ``record_property("throughput", ...)`` (xdist carries user properties back from workers)."""
    lines = [
        str(value)
        for report in terminalreporter.stats.get("passed", [])
        for name, value in getattr(report, "user_properties", [])
        if name == "throughput"
    ]
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)


# -- a private MariaDB server (pytest-mysql), for the catalogue's tests --------------------------------------------
# Started once per test session (per xdist worker) when a test asks for it: its own data directory under pytest's
# temporary directory, a free loopback port, never the system's service; stopped at the end of the session.
# `make setup` (devkit/system.py) installs MariaDB from Debian's packages when it is missing.

mariadb_proc = factories.mysql_proc(port=None, host="127.0.0.1", params="--skip-name-resolve")


@dataclass(frozen=True)
class Database:
    """A database of its own on the private server, and a user with a password that may log in to it."""

    host: str
    port: int
    user: str
    password: str
    name: str
    server: Any  # pytest-mysql's executor: stop() and start() it to take the server away and back

    def root(self) -> pymysql.connections.Connection:
        return pymysql.connect(unix_socket=self.server.unixsocket, user="root", database=self.name, autocommit=True)

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self.root() as connection, connection.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def secret(self) -> str:
        """The JSON Secrets Manager keeps for an RDS database."""
        return json.dumps(
            {"engine": "mariadb", "host": self.host, "port": self.port, "username": self.user,
             "password": self.password, "dbname": self.name}
        )  # fmt: skip

    def set_password(self, password: str) -> Database:
        with self.root() as connection, connection.cursor() as cursor:
            cursor.execute(f"ALTER USER '{self.user}'@'%%' IDENTIFIED BY %s", (password,))
        return replace(self, password=password)


@pytest.fixture
def database(mariadb_proc: Any) -> Iterator[Database]:
    name = f"t{uuid.uuid4().hex[:12]}"
    created = Database(mariadb_proc.host, mariadb_proc.port, name, f"pw-{uuid.uuid4().hex}", name, mariadb_proc)
    with pymysql.connect(unix_socket=mariadb_proc.unixsocket, user="root", autocommit=True) as connection:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            cursor.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (created.password,))
            cursor.execute(f"GRANT ALL ON `{name}`.* TO '{name}'@'%'")
    yield created
    if not mariadb_proc.running():
        mariadb_proc.start()
    with pymysql.connect(unix_socket=mariadb_proc.unixsocket, user="root", autocommit=True) as connection:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
            cursor.execute(f"DROP USER '{name}'@'%'")
