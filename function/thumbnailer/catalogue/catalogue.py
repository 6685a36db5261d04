"""The image catalogue: one row per source object, size and format in a MySQL or MariaDB table (schema.py).

Imported only when the catalogue is on (app.py), so a function without a database never loads PyMySQL.

- Writes are upserts keyed on (source, size, format): a retried or duplicated event leaves one row per size and
  format. A row is
  overwritten only by an event whose S3 ``sequencer`` is not older than the stored one (sequencers of one key
  compare as hexadecimal strings right-padded with zeros, as S3 documents); an event without one (S3 Batch
  Operations, a manual invoke) always writes, since the pipeline renders what the object is now.
- A deletion removes the source's rows, unless a newer event has already written them again.
- Every database failure (unreachable, a lost connection, a deadlock, a refused login after one refresh of the
  secret) is a CatalogueUnavailable: a transient failure, so the event is retried; thumbnails already written
  stay and the retry completes the rows.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import pymysql

from ..aws.logs import log
from ..errors import CatalogueUnavailable, CredentialsError, TransientFailure
from . import schema
from .credentials import Login

ACCESS_DENIED = 1045  # ER_ACCESS_DENIED_ERROR: the password changed (rotation), or the user has no access
# What a migration's statement answers when it already ran but its version was not recorded (a function that timed
# out while the server finished an ALTER): table exists, duplicate column, duplicate key name, no such key to drop.
ALREADY_APPLIED = frozenset({1050, 1060, 1061, 1091})
SEQUENCER_WIDTH = 64  # sequencers are compared right-padded to this many hexadecimal digits
_LOCK_SECONDS = 30  # how long a cold start waits for another one's migration
TLS_MODES = ("require", "verify", "disable")
T = TypeVar("T")


class LoginSource(Protocol):
    def get(self) -> Login: ...

    def refresh(self) -> Login: ...


@dataclass(frozen=True)
class Row:
    """One thumbnail of one source object, as the table holds it (the columns of schema.MIGRATIONS[0] and [2])."""

    source_bucket: str
    source_key: str
    source_version_id: str | None
    source_etag: str
    source_bytes: int
    source_width: int
    source_height: int
    source_format: str
    size: str
    thumbnail_bucket: str
    thumbnail_key: str
    width: int
    height: int
    bytes: int
    format: str
    blurhash: str
    sequencer: str | None
    # A PDF's page count and first page's size in points, None for a picture or a video (schema migration 3).
    source_pages: int | None = None
    source_page_width: float | None = None
    source_page_height: float | None = None


COLUMNS = tuple(Row.__dataclass_fields__)


def _padded(sequencer: str) -> str:
    """SQL for a sequencer as S3 says to compare them: hexadecimal, right-padded with zeros to one width."""
    return f"RPAD(UPPER({sequencer}), {SEQUENCER_WIDTH}, '0')"


# Compared first and assigned last: MySQL evaluates ON DUPLICATE KEY UPDATE assignments left to right.
_NEWER = f"(VALUES(sequencer) IS NULL OR sequencer IS NULL OR {_padded('VALUES(sequencer)')} >= {_padded('sequencer')})"
_UPSERT = (
    "INSERT INTO `{table}` (" + ", ".join(COLUMNS) + ", processed_at) VALUES ("
    + ", ".join(["%s"] * len(COLUMNS)) + ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
    + ", ".join(f"{c} = IF({_NEWER}, VALUES({c}), {c})" for c in (*COLUMNS[2:], "processed_at") if c != "sequencer")
    + f", sequencer = COALESCE(IF({_NEWER}, VALUES(sequencer), sequencer), sequencer)"
)  # fmt: skip
_SOURCE = "source_id = UNHEX(SHA2(CONCAT(%s, '/', %s), 256))"
_DELETE = (
    "DELETE FROM `{table}` WHERE " + _SOURCE + " AND (%s IS NULL OR sequencer IS NULL OR "
    f"{_padded('sequencer')} <= {_padded('%s')})"
)


class Catalogue:
    """The table ``table`` in the database ``login`` names; one connection per execution environment."""

    def __init__(
        self,
        login: LoginSource,
        table: str,
        migrations: Sequence[str] = schema.MIGRATIONS,
        connect: Callable[..., Any] = pymysql.connect,
        timeout: int = 5,
        tls: str = "require",
        ca_bundle: str | None = None,
    ):
        """``tls``: "require" encrypts the connection (a server without TLS is refused), "verify" also checks the
        server's certificate and name against ``ca_bundle`` (for RDS: its CA bundle, which no system trust store
        holds), "disable" sends everything in the clear (a local server without TLS)."""
        self.login = login
        self.table = table
        self.migrations = migrations
        self._connect = connect
        self.timeout = timeout
        self._tls = _tls_arguments(tls, ca_bundle)
        self._connection: Any = None

    def record(self, rows: Iterable[Row], retire: bool = True) -> None:
        """Upsert ``rows`` (every size and format of one source) in one transaction, and delete the source's rows
        of other sizes or formats (no longer configured) that no newer event wrote: the rows are then the
        configured ones. ``retire=False`` (one variant made on request, ondemand.py) only upserts."""
        rows = list(rows)
        if not rows:
            return
        statement = _UPSERT.format(table=self.table)
        values = [tuple(getattr(row, c) for c in COLUMNS) for row in rows]
        first = rows[0]
        kept = [value for row in rows for value in (row.size, row.format)]
        retired = (
            _DELETE.format(table=self.table)
            + " AND (size, format) NOT IN ("
            + ", ".join(["(%s, %s)"] * len(rows))
            + ")"
        )
        arguments = (first.source_bucket, first.source_key, first.sequencer, first.sequencer, *kept)

        def work(cursor: Any) -> None:
            cursor.executemany(statement, values)
            if retire:
                cursor.execute(retired, arguments)

        self._run("record", work)

    def forget(self, bucket: str, key: str, sequencer: str | None) -> int:
        """Delete the rows of ``bucket/key`` that no newer event wrote; return how many went."""
        statement = _DELETE.format(table=self.table)
        return self._run("forget", lambda cursor: cursor.execute(statement, (bucket, key, sequencer, sequencer)))

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except pymysql.err.Error:
                pass
            self._connection = None

    # -- connection ----------------------------------------------------------------------------------------------

    def _run(self, action: str, work: Callable[[Any], T]) -> T:
        """``work(cursor)`` in one transaction on the environment's connection, made (and migrated) when needed."""
        try:
            connection = self._connected()
            try:
                with connection.cursor() as cursor:
                    result = work(cursor)
                connection.commit()
                return result
            except BaseException:
                self._rollback(connection)
                raise
        except CredentialsError as exc:
            raise CatalogueUnavailable(f"catalogue {action}: configuration: {exc}") from None
        except CatalogueUnavailable as exc:
            raise CatalogueUnavailable(f"catalogue {action}: {exc}") from None
        except pymysql.err.Error as exc:
            self.close()  # a lost or broken connection is made again by the retry
            raise CatalogueUnavailable(f"catalogue {action}: {_describe(exc)} (will be retried)") from None

    def _connected(self) -> Any:
        if self._connection is not None:
            try:
                self._connection.ping(reconnect=False)
                return self._connection
            except pymysql.err.Error:
                self.close()
        try:
            connection = self._open(_fetch(self.login.get))
        except pymysql.err.OperationalError as exc:
            if _code(exc) != ACCESS_DENIED:
                raise
            log(logging.WARNING, "catalogue login refused: fetching the secret again (rotated?)")
            connection = self._open(_fetch(self.login.refresh))
        try:
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _open(self, login: Login) -> Any:
        return self._connect(
            host=login.host,
            port=login.port,
            user=login.user,
            password=login.password,
            database=login.database,
            charset="utf8mb4",
            autocommit=False,
            connect_timeout=self.timeout,
            read_timeout=30,
            write_timeout=30,
            **self._tls,
        )

    def _migrate(self, connection: Any) -> None:
        """Apply the migrations this database has not had yet, once, under a named lock."""
        done_table = schema.migrations_table(self.table)
        lock = f"thumbnails-migrate-{self.table}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS `{done_table}` (version INT UNSIGNED NOT NULL PRIMARY KEY, "
                "applied_at DATETIME(6) NOT NULL) ENGINE=InnoDB"
            )
            cursor.execute("SELECT COALESCE(MAX(version), 0) FROM `" + done_table + "`")
            if int(cursor.fetchone()[0]) >= len(self.migrations):
                connection.commit()
                return
            connection.commit()  # a fresh snapshot: the count is read again under the lock
            cursor.execute("SELECT GET_LOCK(%s, %s)", (lock, _LOCK_SECONDS))
            if cursor.fetchone()[0] != 1:
                raise pymysql.err.OperationalError(0, f"another function holds the lock {lock!r}")
            try:
                cursor.execute("SELECT COALESCE(MAX(version), 0) FROM `" + done_table + "`")
                applied = int(cursor.fetchone()[0])
                for version, statement in enumerate(self.migrations[applied:], start=applied + 1):
                    try:
                        cursor.execute(statement.format(table=self.table))
                    except pymysql.err.MySQLError as exc:
                        if _code(exc) not in ALREADY_APPLIED:
                            raise
                        log(logging.WARNING, "catalogue migration found applied", version=version, error=str(exc))
                    cursor.execute(
                        f"INSERT INTO `{done_table}` (version, applied_at) VALUES (%s, UTC_TIMESTAMP(6))", (version,)
                    )
                    connection.commit()
                    log(logging.INFO, "catalogue migrated", table=self.table, version=version)
            finally:
                cursor.execute("SELECT RELEASE_LOCK(%s)", (lock,))
        connection.commit()

    @staticmethod
    def _rollback(connection: Any) -> None:
        try:
            connection.rollback()
        except pymysql.err.Error:
            pass


def _tls_arguments(tls: str, ca_bundle: str | None) -> dict[str, Any]:
    """PyMySQL's arguments for a TLS mode. An SSLContext makes PyMySQL refuse a server without TLS (its default
    would quietly fall back to the clear)."""
    if tls == "disable":
        return {"ssl_disabled": True}
    if tls == "verify":
        if not ca_bundle:
            raise ValueError("tls = verify needs a CA bundle")
        return {"ssl": ssl.create_default_context(cafile=ca_bundle)}
    if tls != "require":
        raise ValueError(f"tls must be one of {', '.join(TLS_MODES)}; got {tls!r}")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # encrypted; who answers is vouched for by the VPC, not a certificate
    return {"ssl": context}


def _fetch(get: Callable[[], Login]) -> Login:
    """The login, or CatalogueUnavailable when Secrets Manager cannot give it (unreachable, throttled, denied, no
    such secret): the error names the call and its code, never a value."""
    try:
        return get()
    except (CredentialsError, TransientFailure):
        raise
    except Exception as exc:  # botocore's errors: the reason is in the message, a value never is
        raise CatalogueUnavailable(f"credentials: {type(exc).__name__}: {exc}") from None


def _code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _describe(exc: pymysql.err.Error) -> str:
    """The error's class, code and server message (which names the user and host, never the password)."""
    code = _code(exc)
    message = exc.args[1] if len(exc.args) > 1 else str(exc)
    return f"{type(exc).__name__} {code}: {message}" if code is not None else f"{type(exc).__name__}: {message}"
