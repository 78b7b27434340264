"""Small shared questions the analysis rules ask of the model."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from stanchion.db.analyze.base import Context
from stanchion.db.schema.ddl import ident, idents
from stanchion.db.schema.model import ForeignKey, Index, Table

_COMMIT_TIMES = """
SELECT c.relname AS name, pg_xact_commit_timestamp(c.xmin) AS created
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'i' AND n.nspname = :schema
"""
_HISTORY = "SELECT up_sql, applied_at FROM stanchion_migrations WHERE status = 'applied'"
_CREATE_INDEX = re.compile(
    r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:\w+\.)?(\"[^\"]+\"|\w+)",
    re.IGNORECASE,
)


def covering_index(table: Table, columns: list[str]) -> Index | None:
    """An index whose leading keys are exactly ``columns`` (in any order), usable for lookups on them."""
    wanted = set(columns)
    for index in table.indexes:
        lead = index.columns[: len(columns)]
        if set(lead) == wanted and index.where is None and index.valid:
            return index
    return None


def fk_index_sql(table: Table, fk: ForeignKey, dialect: str) -> str:
    name = f"{table.name}_{'_'.join(fk.columns)}_idx"
    concurrently = " CONCURRENTLY" if dialect == "postgresql" else ""
    return (
        f"CREATE INDEX{concurrently} {ident(name, dialect)} ON {ident(table.name, dialect)} "
        f"({idents(fk.columns, dialect)});"
    )


def backed_foreign_key(table: Table, index: Index) -> ForeignKey | None:
    """The foreign key whose columns ``index`` leads with: dropping the index would leave the key's checks
    (deletes and key updates on the referenced table) and its joins without an index."""
    for fk in table.foreign_keys:
        if set(index.columns[: len(fk.columns)]) == set(fk.columns):
            return fk
    return None


def index_created(ctx: Context) -> dict[str, datetime]:
    """When each index of the schema was created, where PostgreSQL can tell (UTC):

    * with ``track_commit_timestamp = on``, the commit time of the transaction that wrote the index's
      ``pg_class`` row (CREATE INDEX, or a REINDEX that replaced it);
    * otherwise from Stanchion's own history: ``applied_at`` of the latest applied migration whose up
      section creates an index of that name.

    An index found in neither is taken to be as old as the statistics."""
    if ctx.index_created is not None:
        return ctx.index_created
    found: dict[str, datetime] = {}
    setting = ctx.rows("SELECT current_setting('track_commit_timestamp') AS value")
    if setting and str(setting[0].value) == "on":
        for row in ctx.rows(_COMMIT_TIMES, schema=ctx.schema.name):
            if row.created is not None:
                found[str(row.name)] = _utc(row.created)
    exists = ctx.rows("SELECT to_regclass('stanchion_migrations') IS NOT NULL AS present")
    if exists and exists[0].present:
        for row in sorted(ctx.rows(_HISTORY), key=lambda r: _utc(r.applied_at)):
            for match in _CREATE_INDEX.finditer(str(row.up_sql or "")):
                name = match.group(1).strip('"')
                if name not in found or found[name] < _utc(row.applied_at):
                    found[name] = _utc(row.applied_at)
    ctx.index_created = found
    return found


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
