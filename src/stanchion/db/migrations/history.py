"""The history table, ``stanchion_migrations``: one row per migration that was applied, or that failed or
was interrupted part-way (``status``), with what ran (``up_sql``/``down_sql``) so a later edit can be shown.

Columns: version (key), name, checksum (SHA-256 of the up section), status (applied | running | failed |
rolling_back | rollback_failed), applied_at (UTC), duration_ms, applied_by (``db user via os user@host``),
statement (1-based statement a running or failed migration stopped at), error, up_sql, down_sql.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stanchion.db.dialects.base import Connection, Dialect, execute, query
from stanchion.db.migrations.files import version_key

TABLE = "stanchion_migrations"
COLUMNS = (
    "version",
    "name",
    "checksum",
    "status",
    "applied_at",
    "duration_ms",
    "applied_by",
    "statement",
    "error",
    "up_sql",
    "down_sql",
)


@dataclass
class Record:
    version: str
    name: str
    checksum: str
    status: str
    applied_at: Any
    duration_ms: int
    applied_by: str
    statement: int | None
    error: str | None
    up_sql: str
    down_sql: str | None

    @property
    def sort_key(self) -> tuple[int, ...]:
        return version_key(self.version)


def who(dialect: Dialect, conn: Connection) -> str:
    import getpass
    import os
    import socket

    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = str(os.getuid())
    db_user = dialect.current_user(conn)
    local = f"{os_user}@{socket.gethostname()}"
    return f"{db_user} via {local}" if db_user and db_user != os_user else local


def now(dialect: Dialect) -> Any:
    """The current UTC time in the form the dialect's ``applied_at`` column takes."""
    from datetime import UTC, datetime

    moment = datetime.now(UTC)
    if dialect.name == "sqlite":
        return moment.isoformat(timespec="milliseconds")
    if dialect.name == "mysql":
        return moment.replace(tzinfo=None)
    return moment


def format_time(value: Any) -> str:
    """An ``applied_at`` value as every dialect reports it: ISO 8601 in UTC with milliseconds,
    ``2024-01-01T00:00:01.234+00:00``. PostgreSQL returns an aware datetime in the session's zone, MySQL
    a naive one (stored as UTC), SQLite the text written; all three come out alike."""
    from datetime import UTC, datetime

    moment = value
    if not isinstance(moment, datetime):
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return str(value)  # a row written by hand; shown as it is
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")


class History:
    """Reads and writes the history table through one connection (autocommit unless a transaction is open)."""

    def __init__(self, dialect: Dialect, conn: Connection, table: str = TABLE) -> None:
        self.dialect = dialect
        self.conn = conn
        self.table = table

    def exists(self) -> bool:
        return self.dialect.table_exists(self.conn, self.table)

    def ensure(self) -> None:
        if not self.exists():
            execute(self.conn, self.dialect.history_ddl(self.table))

    def records(self, with_sql: bool = True) -> dict[str, Record]:
        """Every row by version, in version order; ``with_sql=False`` leaves out the stored SQL (status)."""
        columns = COLUMNS if with_sql else (*COLUMNS[:-2], "'' AS up_sql", "NULL AS down_sql")
        rows = query(self.conn, f"SELECT {', '.join(columns)} FROM {self.table}")
        records = [Record(*row) for row in rows]
        records.sort(key=lambda r: r.sort_key)
        return {r.version: r for r in records}

    def now(self) -> Any:
        return now(self.dialect)

    def _run(self, sql: str, params: tuple[Any, ...]) -> None:
        p = self.dialect.param
        query(self.conn, sql.replace("?", p), params)

    def insert(self, record: Record) -> None:
        marks = ", ".join("?" for _ in COLUMNS)
        values = tuple(getattr(record, c) for c in COLUMNS)
        self._run(f"INSERT INTO {self.table} ({', '.join(COLUMNS)}) VALUES ({marks})", values)

    def update(self, version: str, **values: Any) -> None:
        sets = ", ".join(f"{key} = ?" for key in values)
        self._run(f"UPDATE {self.table} SET {sets} WHERE version = ?", (*values.values(), version))

    def delete(self, version: str) -> None:
        self._run(f"DELETE FROM {self.table} WHERE version = ?", (version,))
