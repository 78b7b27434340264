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

from stanchion.db.dialects.base import Connection, Dialect, Statement, line_of, query
from stanchion.errors import EnvironmentProblem, UsageError


def sql_tokens(script: str, dialect: str) -> list[Any]:
    """sqlglot's tokens for ``script`` (UsageError when the text cannot be tokenized)."""
    from sqlglot.dialects.dialect import Dialect as GlotDialect
    from sqlglot.errors import TokenError

    try:
        return list(GlotDialect.get_or_raise(dialect).tokenize(script))
    except TokenError as exc:
        raise UsageError(f"cannot tokenize SQL: {exc}", "look for an unterminated string or comment") from exc


def split_on_tokens(script: str, tokens: list[Any], accept: Any = None) -> list[Statement]:
    """Cut ``script`` at semicolon tokens (where ``accept(text_so_far)`` allows), keeping line numbers.

    Comments are not tokens, so a stretch holding only comments yields no statement; a statement starts at
    its first token.
    """
    from sqlglot.tokenizer_core import TokenType

    statements: list[Statement] = []
    first: int | None = None
    for token in tokens:
        if token.token_type != TokenType.SEMICOLON:
            if first is None:
                first = token.start
            continue
        if first is None:
            continue
        if accept is not None and not accept(script[first : token.end + 1]):
            continue
        statements.append(Statement(script[first : token.start].strip(), line_of(script, first)))
        first = None
    if first is not None:
        statements.append(Statement(script[first:].strip(), line_of(script, first)))
    return statements


class SQLiteDialect(Dialect):
    name: ClassVar[str] = "sqlite"
    transactional_ddl: ClassVar[bool] = True
    param: ClassVar[str] = "?"
    begin_sql: ClassVar[str] = "BEGIN IMMEDIATE"

    _lock_fd: int | None = None

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
                delay = min(delay * 2, 0.2)

    def unlock(self, conn: Connection) -> None:
        self.close()

    def close(self) -> None:
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
