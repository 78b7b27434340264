"""The small interface each database dialect implements for the migration runner.

A dialect knows how to connect with its driver, split a script into statements the way the database parses
it, take and release the migration lock, set per-migration timeouts, create the history table and take a
schema snapshot for comparisons. Everything else (ordering, history, failure handling) is shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from stanchion.db.url import DatabaseURL
from stanchion.errors import EnvironmentProblem
from stanchion.redact import mask_secrets

#: A DB-API 2 connection in autocommit mode; transactions are opened with explicit statements.
Connection = Any


@dataclass(frozen=True)
class Statement:
    """One statement of a script and the 1-based line it starts on (relative to the script)."""

    sql: str
    line: int


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of character ``offset`` in ``text``."""
    return text.count("\n", 0, max(offset, 0)) + 1


def unreachable(url: DatabaseURL, exc: BaseException) -> EnvironmentProblem:
    """The exit-3 error for a failed connection: host and port shown, password masked."""
    detail = str(exc).strip().splitlines()
    return EnvironmentProblem(
        f"cannot connect to {url.dialect} database at {url.location} ({url.masked}): "
        f"{mask_secrets(detail[0] if detail else type(exc).__name__)}",
        "check that the server is running and reachable, and that the URL, user and password are right",
    )


class Dialect:
    """Base class: shared behaviour; subclasses fill in what differs per database."""

    name: ClassVar[str] = ""
    #: DDL takes part in transactions (PostgreSQL, SQLite); MySQL commits DDL implicitly.
    transactional_ddl: ClassVar[bool] = True
    #: the driver's parameter placeholder
    param: ClassVar[str] = "%s"
    begin_sql: ClassVar[str] = "BEGIN"

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url

    # -- connecting ---------------------------------------------------------------------------
    def connect(self) -> Connection:
        raise NotImplementedError

    # -- statements ---------------------------------------------------------------------------
    def split(self, script: str) -> list[Statement]:
        raise NotImplementedError

    def needs_no_transaction(self, statement: Statement) -> bool:
        """True for statements the database refuses to run inside a transaction block."""
        return False

    # -- errors ---------------------------------------------------------------------------------
    def is_lock_timeout(self, exc: BaseException) -> bool:
        return False

    def error_text(self, exc: BaseException) -> str:
        """The database's own error message, on one line."""
        text = " ".join(str(exc).split())
        return text or type(exc).__name__

    def error_offset(self, exc: BaseException) -> int | None:
        """0-based character offset of the error inside the failing statement, when the server says."""
        return None

    def syntax_error(self, conn: Connection, statement: Statement) -> tuple[str, int] | None:
        """The database's own syntax error for ``statement`` and the 1-based line inside it, found without
        running anything; None when it parses. Only syntax counts here: a name that does not exist yet (a
        table an earlier statement of the same migration creates) is not an error. PostgreSQL's splitter is
        its parser, so :meth:`split` already refused what does not parse there."""
        return None

    # -- locking --------------------------------------------------------------------------------
    def lock(self, conn: Connection, wait_seconds: float) -> None:
        """Take the migration lock, waiting up to ``wait_seconds``; EnvironmentProblem when it times out."""
        raise NotImplementedError

    def unlock(self, conn: Connection) -> None:
        raise NotImplementedError

    def lock_is_free(self, conn: Connection) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        """Release anything the dialect holds outside the connection (the SQLite lock file handle)."""
        return None

    # -- timeouts -------------------------------------------------------------------------------
    def timeout_statements(
        self, lock_timeout_ms: int | None, statement_timeout_ms: int | None, local: bool = False
    ) -> list[str]:
        """Statements that set the per-migration timeouts (none where not supported); ``local`` for ones
        that end with the open transaction."""
        return []

    def execute_many(self, conn: Connection, statements: list[str]) -> None:
        """Run a few fixed statements (one round trip where the driver allows several per call)."""
        for sql in statements:
            execute(conn, sql)

    def reset_timeout_statements(self) -> list[str]:
        return []

    # -- history and introspection --------------------------------------------------------------
    def history_ddl(self, table: str) -> str:
        raise NotImplementedError

    def table_exists(self, conn: Connection, table: str) -> bool:
        raise NotImplementedError

    def current_user(self, conn: Connection) -> str:
        return self.url.username or ""

    def snapshot(self, conn: Connection, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        """A comparable description of the schema (tables, columns, indexes, constraints, views)."""
        raise NotImplementedError


def query(conn: Connection, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run ``sql`` and return all rows (an empty list for statements without a result)."""
    cur = conn.cursor()
    try:
        if params:
            cur.execute(sql, params)
        else:
            cur.execute(sql)
        return list(cur.fetchall()) if cur.description else []
    finally:
        cur.close()


def execute(conn: Connection, sql: str) -> None:
    """Run one statement exactly as written (no parameter processing)."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
    finally:
        cur.close()
