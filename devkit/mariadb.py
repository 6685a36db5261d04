"""A private MariaDB server for ``make demo DATABASE=1``: its own data directory, a free loopback port, never the
system's service; stopped when the demo ends. (The tests start theirs with pytest-mysql: tests/conftest.py.)"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devkit.endpoint import wait_for


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    socket: Path  # root logs in through it (unix_socket authentication), never over TCP

    def root(self):  # -> pymysql.connections.Connection
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket), user="root", autocommit=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(server: Server) -> bool:
    try:
        server.root().close()
    except Exception:  # not up yet
        return False
    return True


@contextmanager
def private_server(directory: Path, ready_within: float = 60, keep: bool = False) -> Iterator[Server]:
    """Initialise a data directory under ``directory`` and run ``mysqld`` on it until the block ends -- or, with
    ``keep``, leave it running (its process id in ``directory``/mysqld.pid).

    Raises RuntimeError (naming its log) when MariaDB is missing or does not start."""
    missing = [name for name in ("mysqld", "mysql_install_db") if not shutil.which(name)]
    if missing:
        raise RuntimeError(f"MariaDB is missing ({', '.join(missing)}): `make setup` installs it")
    shutil.rmtree(directory, ignore_errors=True)
    data = directory / "data"
    data.mkdir(parents=True)
    log = directory / "mariadb.log"
    user = getpass.getuser()
    init = subprocess.run(
        ["mysql_install_db", "--no-defaults", f"--user={user}", f"--datadir={data}", "--skip-test-db"],
        capture_output=True,
        text=True,
    )
    if init.returncode != 0:
        raise RuntimeError(f"mysql_install_db failed: {init.stderr.strip()[-500:]}")
    server = Server("127.0.0.1", free_port(), directory / "mysqld.sock")
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                "mysqld",
                "--no-defaults",
                f"--user={user}",
                f"--datadir={data}",
                f"--socket={server.socket}",
                f"--port={server.port}",
                f"--bind-address={server.host}",
                f"--pid-file={directory / 'mysqld.pid'}",
                f"--tmpdir={directory}",
                "--skip-name-resolve",
            ],
            stdout=output,
            stderr=output,
            start_new_session=True,  # Ctrl-C reaches the demo, which stops the server itself
        )
    try:
        try:
            wait_for(lambda: process.poll() is not None or _answers(server), ready_within, "MariaDB to start")
        except TimeoutError:
            raise RuntimeError(f"MariaDB did not start; see {log}") from None
        if process.poll() is not None:
            raise RuntimeError(f"MariaDB exited with {process.returncode}; see {log}")
        yield server
    finally:
        if not keep or process.poll() is not None:
            process.terminate()  # SIGTERM: a clean shutdown
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
