"""SQLite: statements split by SQLite's own completeness check, an exclusive file lock for the runner.

Splitting: the sqlglot tokenizer finds the semicolons that are real tokens (not inside strings, quoted names
or comments); a candidate cut is accepted only when :func:`sqlite3.complete_statement` (SQLite's own
tokenizer) agrees the text so far is complete, which keeps ``CREATE TRIGGER ... BEGIN ...; END;`` whole.

Locking: an exclusive ``flock`` on the database file itself. SQLite's own locks are POSIX record locks,
which on Linux are independent of ``flock``, so the two never interfere; the kernel drops the lock when
the process dies, so a killed runner never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import os
import sqlite3
import time
from typing import Any, ClassVar

from stanchion.db.dialects.base import Connection, Dialect, Statement, query
from stanchion.db.dialects.tokens import split_on_tokens, sql_tokens
from stanchion.errors import EnvironmentProblem, UsageError


class SQLiteDialect(Dialect):
    name: ClassVar[str] = "sqlite"
    transactional_ddl: ClassVar[bool] = True
    param: ClassVar[str] = "?"
    begin_sql: ClassVar[str] = "BEGIN IMMEDIATE"

    _lock_fd: int | None = None
    _checker: sqlite3.Connection | None = None

    def connect(self) -> Connection:
        path = self.url.sqlite_path
        if path is not None and not path.parent.exists():
            raise UsageError(
                f"folder for SQLite database {path} does not exist",
                f"create {path.parent} or choose another path",
            )
        try:
            conn = sqlite3.connect(self.url.database or ":memory:", timeout=60, isolation_level=None)
        except sqlite3.Error as exc:
            raise EnvironmentProblem(f"cannot open SQLite database {self.url.location}: {exc}") from exc
        return conn

    def split(self, script: str) -> list[Statement]:
        tokens = sql_tokens(script, "sqlite")
        return split_on_tokens(script, tokens, sqlite3.complete_statement)

    def needs_no_transaction(self, statement: Statement) -> bool:
        return statement.sql.split(None, 1)[0].upper() == "VACUUM"

    def syntax_error(self, conn: Connection, statement: Statement) -> tuple[str, int] | None:
        """SQLite's parser on ``EXPLAIN <statement>`` in a private in-memory database: EXPLAIN compiles
        without running, and SQLite parses the whole statement before it resolves any name, so a syntax
        error is reported while a table created by an earlier statement ("no such table") is not."""
        if self._checker is None:
            self._checker = sqlite3.connect(":memory:", isolation_level=None)
        try:
            self._checker.execute(f"EXPLAIN {statement.sql}")
        except sqlite3.Error as exc:
            text = str(exc)
            if "syntax error" in text or "incomplete input" in text or "unrecognized token" in text:
                return f"{text} (SQLite)", 1
        return None

    def lock(self, conn: Connection, wait_seconds: float) -> None:
        path = self.url.sqlite_path
        if path is None:
            return  # an in-memory database belongs to one connection
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_seconds
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock_fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise EnvironmentProblem(
                        f"another migration run holds the lock on {path} (waited {wait_seconds:g}s)",
                        "wait for it to finish, or raise --lock-wait",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def unlock(self, conn: Connection) -> None:
        self.close()

    def close(self) -> None:
        if self._checker is not None:
            self._checker.close()
            self._checker = None
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def lock_is_free(self, conn: Connection) -> bool:
        path = self.url.sqlite_path
        if path is None or not path.exists():
            return True
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)  # closing drops our flock; SQLite's POSIX locks are not held by this process here
        return True

    def is_lock_timeout(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)

    def history_ddl(self, table: str) -> str:
        return f"""CREATE TABLE IF NOT EXISTS {table} (
    version TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    status TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    applied_by TEXT NOT NULL,
    statement INTEGER,
    error TEXT,
    up_sql TEXT NOT NULL,
    down_sql TEXT
)"""

    def table_exists(self, conn: Connection, table: str) -> bool:
        rows = query(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        return bool(rows)

    def current_user(self, conn: Connection) -> str:
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return str(os.getuid())

    def snapshot(self, conn: Connection, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        objects: dict[str, Any] = {}
        rows = query(
            conn,
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        for kind, name, table, sql in rows:
            if table in exclude:
                continue
            entry: dict[str, Any] = {"table": table, "sql": " ".join((sql or "").split())}
            if kind == "table":
                entry["columns"] = query(conn, f"PRAGMA table_xinfo('{name}')")
                entry["foreign_keys"] = query(conn, f"PRAGMA foreign_key_list('{name}')")
            objects[f"{kind}:{name}"] = entry
        return objects
