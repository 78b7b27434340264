"""pg_stat_statements snapshots before and after a load phase, and what changed between them.

The reading itself is :func:`stanchion.db.analyze.rules._statements.read_statements` (the same query
``db analyze`` uses). Statements that read pg_stat_statements (this tool's own snapshots) are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stanchion.db.analyze.rules._statements import Statement, read_statements
from stanchion.errors import EnvironmentProblem

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

Snapshot = dict[int, Statement]

WRITES = ("INSERT", "UPDATE", "DELETE")


def check_extension(conn: Connection) -> None:
    """Raise EnvironmentProblem (exit 3) with the fix when pg_stat_statements cannot be read."""
    from sqlalchemy import text

    preloaded = conn.execute(text("SHOW shared_preload_libraries")).scalar() or ""
    if "pg_stat_statements" not in str(preloaded):
        raise EnvironmentProblem(
            "pg_stat_statements is not loaded on this PostgreSQL server",
            "add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf and restart the server",
        )
    created = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")).first()
    if created is None:
        raise EnvironmentProblem(
            "the pg_stat_statements extension is not created in this database",
            "run CREATE EXTENSION pg_stat_statements; in it (once, as a superuser)",
        )


def snapshot(conn: Connection) -> Snapshot:
    return {s.queryid: s for s in read_statements(conn) if "pg_stat_statements" not in s.query}


def delta(before: Snapshot, after: Snapshot) -> list[Statement]:
    """What ran between the two snapshots: calls, time and rows per statement, busiest first."""
    out = []
    for queryid, now in after.items():
        was = before.get(queryid)
        calls = now.calls - (was.calls if was else 0)
        if calls <= 0:
            continue
        total = now.total_ms - (was.total_ms if was else 0.0)
        rows = now.rows - (was.rows if was else 0)
        out.append(Statement(queryid, now.query, calls, total, total / calls, rows))
    out.sort(key=lambda s: (s.calls, s.total_ms), reverse=True)
    return out


def is_write(statement: Statement) -> bool:
    head = statement.query.lstrip().split(None, 1)[0].upper() if statement.query.strip() else ""
    return head in WRITES or any(f" {w} " in f" {statement.query.upper()} " for w in WRITES if head == "WITH")


def has_parameters(statement: Statement) -> bool:
    """A normalized statement keeps ``$1``... where the app's values (and constants) were."""
    return "$" in statement.query
