"""What every test session shares: how many workers it runs on, the measured figures tests record (printed at the
end of the run), and a private MariaDB server for the tests that need one."""

from __future__ import annotations

import atexit
import datetime
import ipaddress
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pymysql
import pytest
from pytest_mysql import factories

from devkit import oneprovider


def pytest_xdist_auto_num_workers(config: Any) -> int:
    """``-n auto`` (pyproject.toml): two workers more than the cores this process may use. Much of an end-to-end
    test is waiting, not working: the aws provider's fixed polls (about 25 s after each SQS queue write, 5 s after a
    function is created), the functions' invocations, the event deliveries; two more workers on two cores fill that
    time (docs/testing.md: three workers left 15% of the CPU idle). THUMBNAILS_TEST_WORKERS sets the number."""
    return int(os.environ.get("THUMBNAILS_TEST_WORKERS") or len(os.sched_getaffinity(0)) + 2)


def pytest_configure(config: Any) -> None:
    """Every Terraform command of the session (the tests', the stacks', `make demo`'s) starts one aws provider where
    Terraform alone starts one per walk (devkit/oneprovider.py, first on PATH): 2.0 s of CPU for a small plan, not 2.8.
    THUMBNAILS_ONE_PROVIDER=0 turns it off."""
    wrapper = Path(tempfile.mkdtemp(prefix="terraform-one-provider-"))
    atexit.register(shutil.rmtree, wrapper, True)
    os.environ.update(oneprovider.install(wrapper))


# Where the long tests are, longest first: the soak, the applied stacks, Terraform's plans and checkov, the benchmarks.
LONG_FIRST = ("tests/soak/", "tests/e2e/", "tests/module/", "tests/benchmarks/")


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Hand out the long tests first. xdist's loadgroup scheduler deals out the groups of several tests first, then
    single tests in collection order, and a long test dealt last runs alone at the end while the other workers idle
    (a whole run: one worker busy 817 s, the other three 720-737 s, the soak among the last dealt). So the tests that
    apply stacks or run Terraform are collected first and the in-process ones last, to fill the workers' last
    minutes; the sort is stable, so each file's tests (a group's story) keep their order."""
    items.sort(key=lambda item: long_first_rank(item.nodeid))


def long_first_rank(nodeid: str) -> int:
    """Where a test is dealt out: the index of its LONG_FIRST prefix, the in-process tests after them all."""
    return next((n for n, prefix in enumerate(LONG_FIRST) if nodeid.startswith(prefix)), len(LONG_FIRST))


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

TLS_DIR = Path(tempfile.mkdtemp(prefix="mariadb-tls-"))  # this process's server's certificate, and its CA
atexit.register(shutil.rmtree, TLS_DIR, True)
CA_BUNDLE = str(TLS_DIR / "ca.pem")


def make_certificates(directory: Path) -> str:
    """A CA, and a certificate it signs for 127.0.0.1: the server then speaks TLS, as RDS does, and a client can
    verify it against the CA (DATABASE_TLS=verify). Returns mysqld's options."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def write(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        path.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    now = datetime.datetime.now(datetime.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
        .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server = (
        x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(server_key.public_key()).serial_number(2).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    write(directory / "ca", ca_key, ca)
    write(directory / "server", server_key, server)
    return f"--ssl-ca={directory / 'ca.pem'} --ssl-cert={directory / 'server.pem'} --ssl-key={directory / 'server.key'}"


mariadb_proc = factories.mysql_proc(
    port=None, host="127.0.0.1", params=f"--skip-name-resolve {make_certificates(TLS_DIR)}"
)


@dataclass(frozen=True)
class Database:
    """A database of its own on the private server, and a user with a password that may log in to it."""

    host: str
    port: int
    user: str
    password: str
    name: str
    server: Any  # pytest-mysql's executor: stop() and start() it to take the server away and back

    def root(self, in_database: bool = True) -> pymysql.connections.Connection:
        """The server's root, through its socket: in this database, or in none (to make or drop it)."""
        name = self.name if in_database else None
        return pymysql.connect(unix_socket=self.server.unixsocket, user="root", database=name, autocommit=True)

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


@contextmanager
def new_database(mariadb_proc: Any) -> Iterator[Database]:
    """A database and a user of its own on the session's MariaDB, dropped at the end."""
    name = f"t{uuid.uuid4().hex[:12]}"
    created = Database(mariadb_proc.host, mariadb_proc.port, name, f"pw-{uuid.uuid4().hex}", name, mariadb_proc)
    with created.root(in_database=False) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        cursor.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (created.password,))
        cursor.execute(f"GRANT ALL ON `{name}`.* TO '{name}'@'%'")
    yield created
    if not mariadb_proc.running():
        mariadb_proc.start()
    with created.root(in_database=False) as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE `{name}`")
        cursor.execute(f"DROP USER '{name}'@'%'")


@pytest.fixture
def database(mariadb_proc: Any) -> Iterator[Database]:
    with new_database(mariadb_proc) as created:
        yield created


# -- released artifacts, rebuilt in a fresh copy of the repository ----------------------------------------------------
# Built once per session on one worker: every test that uses it is in the xdist group "release".
@dataclass(frozen=True)
class Rebuilt:
    dist: Path  # SHA256SUMS, manifest.json and the files
    files: list[str]  # the function ZIP, the layer localaws runs (this machine's architecture), one of the other,
    # and the layer of the module's defaults
    returncode: int  # devkit/release.py's: 0 when every file equals its pin
    output: str


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory) -> Rebuilt:
    """What `make release` builds, for the function ZIP and one pinned layer per architecture, rebuilt by
    the release script of a fresh copy of the repository (the files git tracks or would track, new mtimes, another
    path), as another machine's clone would: the pins were made by another build, so equal digests prove the
    build reproducible, and unequal ones are drift."""
    import platform
    import re
    import subprocess
    import sys

    from devkit import release
    from localaws.runtime import LOCAL_RUNTIME

    root = Path(__file__).resolve().parents[1]
    clone = tmp_path_factory.mktemp("clone")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, clone / name)  # content only: new mtime, default permissions
    pins = release.read_pins()["artifacts"]
    # One layer per architecture: for this machine's, the one localaws can run (its Python, no extra formats);
    # for the other, the smallest.
    here = "arm64" if platform.machine() == "aarch64" else platform.machine()
    chosen = {here: f"thumbnails-layer-{LOCAL_RUNTIME}-{here}.zip"}
    for architecture in {"x86_64", "arm64"} - {here}:
        layers = [n for n, pin in pins.items() if pin["kind"] == "layer" and pin["architecture"] == architecture]
        chosen[architecture] = min(layers, key=lambda name: pins[name]["size"])
    # And the layer of the module's defaults (its runtime, x86_64), which the README's example deploys.
    runtime = re.search(r'variable "runtime" \{[^}]*?default\s*=\s*"([^"]+)"', (root / "variables.tf").read_text())
    default = f"thumbnails-layer-{runtime[1] if runtime else LOCAL_RUNTIME}-x86_64.zip"
    files = list(
        dict.fromkeys([release.FUNCTION, chosen[here], *(chosen[a] for a in sorted(chosen) if a != here), default])
    )
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, str(clone / "devkit" / "release.py"), "build", "--dist", str(dist), "--only", *files],
        cwd=clone, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return Rebuilt(dist, files, done.returncode, done.stdout + done.stderr)
