"""Throwaway database servers for tests and benchmarks: real PostgreSQL and MariaDB, never mocks.

Each server lives in a temp folder on a free 127.0.0.1 port, runs as the database's own system user when
the suite runs as root, and is stopped and removed afterwards (also at interpreter exit, as a safety net).
`make test` installs the Debian packages first (scripts/setup-system.sh); when the binaries are missing
anyway, starting a server fails with a message that says what to install.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


class ServerUnavailable(RuntimeError):
    """The server's binaries are missing or it did not start; the message says what to do."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user(user: str, argv: Sequence[str]) -> list[str]:
    """Run as ``user`` when we are root (PostgreSQL and MariaDB refuse to run as root)."""
    if os.geteuid() != 0:
        return list(argv)
    return ["runuser", "-u", user, "--", *argv]


def _run(argv: Sequence[str], what: str) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ServerUnavailable(
            f"{what} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
        )


def _wait_port(port: int, timeout: float, what: str, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerUnavailable(f"{what} exited with {proc.returncode} before accepting connections")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise ServerUnavailable(f"{what} did not accept connections on 127.0.0.1:{port} within {timeout:.0f}s")


def _owned_tempdir(prefix: str, user: str) -> Path:
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    return base


class PostgresServer:
    """A PostgreSQL cluster in a temp folder; ``url`` connects as the superuser ``postgres``."""

    def __init__(self) -> None:
        self.bindir = self._find_bindir()
        self.port = free_port()
        self.base: Path | None = None
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def _find_bindir() -> Path:
        for candidate in PG_BIN_DIRS:
            if (Path(candidate) / "initdb").exists():
                return Path(candidate)
        raise ServerUnavailable(
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin; "
            "install them with: apt-get install postgresql-15 postgresql-contrib (make test does this as root)"
        )

    def start(self) -> PostgresServer:
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError as exc:
            if os.geteuid() == 0:
                raise ServerUnavailable(
                    "system user 'postgres' missing; reinstall postgresql-common"
                ) from exc
        self.base = _owned_tempdir("stanchion-pg-", user)
        data = self.base / "data"
        _run(
            _as_user(
                user,
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C",
                ],
            ),
            "initdb",
        )
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.base}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
                "-c shared_preload_libraries=pg_stat_statements",
                "-c pg_stat_statements.track=all",
            ]
        )
        _run(
            _as_user(
                user,
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(self.base / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            ),
            "pg_ctl start",
        )
        _wait_port(self.port, 30, "PostgreSQL")
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self.base is None:
            return
        data = self.base / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_user(
                    "postgres",
                    [str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    def url_for(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"


class MariaDBServer:
    """A MariaDB server in a temp folder; ``url`` connects as user ``stanchion`` (password ``stanchion``)."""

    def __init__(self) -> None:
        self.mariadbd = shutil.which("mariadbd") or shutil.which("mysqld") or "/usr/sbin/mariadbd"
        self.install_db = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
        if not Path(self.mariadbd).exists() or self.install_db is None:
            raise ServerUnavailable(
                "MariaDB server binaries not found; install them with: apt-get install mariadb-server "
                "(make test does this as root)"
            )
        self.port = free_port()
        self.base: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"mysql+pymysql://stanchion:stanchion@127.0.0.1:{self.port}/stanchion"

    def start(self) -> MariaDBServer:
        user = "mysql"
        self.base = _owned_tempdir("stanchion-maria-", user)
        data = self.base / "data"
        socket_path = self.base / "mysqld.sock"
        user_flag = [f"--user={user}"] if os.geteuid() == 0 else []
        _run(
            [
                self.install_db,
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *user_flag,
            ],
            "mariadb-install-db",
        )
        log = (self.base / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [
                self.mariadbd,
                "--no-defaults",
                f"--datadir={data}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--socket={socket_path}",
                f"--pid-file={self.base / 'mysqld.pid'}",
                "--skip-name-resolve",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-buffer-pool-size=64M",
                "--max-connections=300",
                "--skip-log-bin",
                *user_flag,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_port(self.port, 60, "MariaDB", self.proc)
        import pymysql

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = pymysql.connect(unix_socket=str(socket_path), user="root", autocommit=True)
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE stanchion")
            cur.execute("CREATE USER 'stanchion'@'%' IDENTIFIED BY 'stanchion'")
            cur.execute("GRANT ALL PRIVILEGES ON *.* TO 'stanchion'@'%' WITH GRANT OPTION")
        conn.close()
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def url_for(self, database: str) -> str:
        return f"mysql+pymysql://stanchion:stanchion@127.0.0.1:{self.port}/{database}"
