"""PostgreSQL: pglast (PostgreSQL's own parser) splits scripts; a session-level advisory lock guards runs.

The lock is taken with ``pg_try_advisory_lock`` in a polling loop rather than a blocking
``pg_advisory_lock``: a runner that waits inside a blocking call holds a snapshot, and
``CREATE INDEX CONCURRENTLY`` in the lock holder's no-transaction migration waits for every older snapshot,
so a blocking wait would deadlock it. Between polls a waiting runner is idle and holds nothing.
"""

from __future__ import annotations

import time
import zlib
from typing import Any, ClassVar

from stanchion.db.dialects.base import Connection, Dialect, Statement, execute, line_of, query, unreachable
from stanchion.errors import EnvironmentProblem

#: advisory lock key: a stable 32-bit number derived from the project name
LOCK_KEY = zlib.crc32(b"stanchion_migrations")


class SplitError(Exception):
    """A script PostgreSQL's parser rejects; ``offset`` is the 0-based character position."""

    def __init__(self, message: str, offset: int | None) -> None:
        super().__init__(message)
        self.offset = offset


class PostgreSQLDialect(Dialect):
    name: ClassVar[str] = "postgresql"
    transactional_ddl: ClassVar[bool] = True
    param: ClassVar[str] = "%s"

    def connect(self) -> Connection:
        import psycopg

        raw = self.url.raw
        conninfo = "postgresql://" + raw.split("://", 1)[1]
        try:
            conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise unreachable(self.url, exc) from exc
        # PostgreSQL 14+: notice a vanished client (a killed runner) during long statements and end its
        # session, so its transaction rolls back and its advisory lock is freed within a second.
        if conn.info.server_version >= 140000:
            query(conn, "SET client_connection_check_interval = '1s'")
        return conn

    def split(self, script: str) -> list[Statement]:
        import pglast
        from pglast.parser import ParseError

        try:
            slices = list(pglast.split(script, only_slices=True))
        except ParseError as exc:
            # args: (message, byte offset into the script)
            location = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            if location is not None:
                location = len(script.encode()[:location].decode(errors="ignore"))
            raise SplitError(str(exc.args[0]) if exc.args else str(exc), location) from exc
        return [Statement(script[s].strip(), line_of(script, s.start)) for s in slices if script[s].strip()]

    def needs_no_transaction(self, statement: Statement) -> bool:
        from pglast import parse_sql
        from pglast.parser import ParseError

        try:
            parsed = parse_sql(statement.sql)
        except ParseError:
            return False
        for raw in parsed:
            node = raw.stmt
            kind = type(node).__name__
            if kind in (
                "VacuumStmt",
                "CreatedbStmt",
                "DropdbStmt",
                "AlterSystemStmt",
                "CreateTableSpaceStmt",
            ):
                return True
            if kind in ("IndexStmt", "DropStmt") and getattr(node, "concurrent", False):
                return True
            if kind == "ReindexStmt":
                options = getattr(node, "params", None) or ()
                if any(getattr(opt, "defname", "") == "concurrently" for opt in options):
                    return True
        return False

    def is_lock_timeout(self, exc: BaseException) -> bool:
        return getattr(exc, "sqlstate", None) == "55P03"

    def error_text(self, exc: BaseException) -> str:
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None) if diag is not None else None
        if not primary:
            return super().error_text(exc)
        severity = getattr(diag, "severity", None) or "ERROR"
        sqlstate = getattr(exc, "sqlstate", None)
        return f"{severity}: {primary}" + (f" (SQLSTATE {sqlstate})" if sqlstate else "")

    def error_offset(self, exc: BaseException) -> int | None:
        diag = getattr(exc, "diag", None)
        position = getattr(diag, "statement_position", None) if diag is not None else None
        try:
            return int(position) - 1 if position else None
        except ValueError:
            return None

    def lock(self, conn: Connection, wait_seconds: float) -> None:
        deadline = time.monotonic() + wait_seconds
        delay = 0.01
        while not query(conn, "SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))[0][0]:
            if time.monotonic() >= deadline:
                raise EnvironmentProblem(
                    f"another migration run holds the lock on {self.url.location} (waited {wait_seconds:g}s)",
                    "wait for it to finish, or raise --lock-wait",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)  # a poll is one cheap query; waiters wake promptly

    def unlock(self, conn: Connection) -> None:
        query(conn, "SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))

    def lock_is_free(self, conn: Connection) -> bool:
        rows = query(
            conn,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND objid = %s AND classid = 0 AND objsubid = 1",
            (LOCK_KEY,),
        )
        return int(rows[0][0]) == 0

    def timeout_statements(
        self, lock_timeout_ms: int | None, statement_timeout_ms: int | None, local: bool = False
    ) -> list[str]:
        scope = "SET LOCAL" if local else "SET"
        out = []
        if lock_timeout_ms is not None:
            out.append(f"{scope} lock_timeout = '{int(lock_timeout_ms)}ms'")
        if statement_timeout_ms is not None:
            out.append(f"{scope} statement_timeout = '{int(statement_timeout_ms)}ms'")
        return out

    def execute_many(self, conn: Connection, statements: list[str]) -> None:
        # Without parameters psycopg uses the simple query protocol, which accepts several statements.
        execute(conn, "; ".join(statements))

    def reset_timeout_statements(self) -> list[str]:
        return ["RESET lock_timeout", "RESET statement_timeout"]

    def history_ddl(self, table: str) -> str:
        return f"""CREATE TABLE IF NOT EXISTS {table} (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    status text NOT NULL,
    applied_at timestamptz NOT NULL,
    duration_ms bigint NOT NULL,
    applied_by text NOT NULL,
    statement integer,
    error text,
    up_sql text NOT NULL,
    down_sql text
)"""

    def table_exists(self, conn: Connection, table: str) -> bool:
        return bool(query(conn, "SELECT to_regclass(%s) IS NOT NULL", (table,))[0][0])

    def current_user(self, conn: Connection) -> str:
        return str(query(conn, "SELECT current_user")[0][0])

    def snapshot(self, conn: Connection, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        skip = list(exclude)
        schemas = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
        parts: dict[str, Any] = {}
        parts["columns"] = query(
            conn,
            "SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default, "
            "ordinal_position FROM information_schema.columns "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND NOT table_name = ANY(%s) "
            "ORDER BY 1, 2, 7",
            (skip,),
        )
        parts["relations"] = query(
            conn,
            f"SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n "
            f"ON n.oid = c.relnamespace WHERE {schemas} AND NOT c.relname = ANY(%s) ORDER BY 1, 2",
            (skip,),
        )
        parts["constraints"] = query(
            conn,
            f"SELECT n.nspname, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            f"FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE {schemas} "
            f"AND NOT c.conrelid::regclass::text = ANY(%s) ORDER BY 1, 2, 3",
            (skip,),
        )
        parts["indexes"] = query(
            conn,
            "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND NOT tablename = ANY(%s) "
            "ORDER BY 1, 2, 3",
            (skip,),
        )
        parts["views"] = query(
            conn,
            "SELECT schemaname, viewname, definition FROM pg_views "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
        )
        parts["functions"] = query(
            conn,
            f"SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc "
            f"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {schemas} ORDER BY 1, 2, 3",
        )
        parts["types"] = query(
            conn,
            f"SELECT n.nspname, t.typname, t.typtype, "
            f"array(SELECT enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) "
            f"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            f"WHERE {schemas} AND t.typtype IN ('e', 'd') ORDER BY 1, 2",
        )
        parts["triggers"] = query(
            conn,
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal ORDER BY 1, 2",
        )

        def kept(row: tuple[Any, ...]) -> bool:
            return not any(isinstance(v, str) and v.startswith(tuple(skip)) for v in row) if skip else True

        return {key: [list(row) for row in rows if kept(row)] for key, rows in parts.items()}
