"""Adopting another tool's history: a database already migrated by dbmate, golang-migrate, Flyway or Prisma
keeps its applied migrations applied when Stanchion takes over the same folder.

When Stanchion's own history is empty, the other tool's table for the folder's layout is read (never
changed) and the versions it applied are recorded as applied by the next ``migrate``:

* dbmate: ``schema_migrations(version)``, one row per applied migration;
* golang-migrate: ``schema_migrations(version, dirty)``, one row holding the current version (everything up to
  it is applied); a dirty database is refused, since golang-migrate itself does not know its state;
* Flyway: ``flyway_schema_history(version, success)``;
* Prisma: ``_prisma_migrations(migration_name, finished_at, rolled_back_at)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stanchion.db.dialects.base import Connection, Dialect, query
from stanchion.db.migrations.files import Migration, version_key
from stanchion.errors import CheckFailed

TABLES = {
    "stanchion": "schema_migrations",
    "dbmate": "schema_migrations",
    "golang-migrate": "schema_migrations",
    "flyway": "flyway_schema_history",
    "prisma": "_prisma_migrations",
}


@dataclass
class Adopted:
    tool: str
    table: str
    versions: set[str] = field(default_factory=set)


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]] | None:
    try:
        return query(conn, sql)
    except Exception:
        return None


def foreign_history(
    dialect: Dialect, conn: Connection, layout: str, migrations: list[Migration]
) -> Adopted | None:
    """Versions of ``migrations`` that another tool recorded as applied, or None when there is no such table."""
    table = TABLES.get(layout)
    if table is None or not dialect.table_exists(conn, table):
        return None
    known = {m.version: m for m in migrations}
    if table == "schema_migrations":
        golang = _rows(conn, "SELECT version, dirty FROM schema_migrations")
        if golang is not None:
            adopted = Adopted("golang-migrate", table)
            for version, dirty in golang:
                if dirty:
                    raise CheckFailed(
                        f"golang-migrate marked this database dirty at version {version}; nothing was run",
                        f"fix the database by hand, then 'migrate force {version}' (golang-migrate) or drop its "
                        "schema_migrations table",
                    )
                top = version_key(str(version))
                adopted.versions |= {m.version for m in migrations if m.sort_key <= top}
            return adopted
        rows = _rows(conn, "SELECT version FROM schema_migrations") or []
        applied = {version_key(str(row[0])) for row in rows}
        return Adopted("dbmate", table, {m.version for m in migrations if m.sort_key in applied})
    if table == "flyway_schema_history":
        rows = (
            _rows(conn, "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL") or []
        )
        applied = {version_key(str(v).replace("_", ".")) for v, ok in rows if ok}
        return Adopted("Flyway", table, {m.version for m in migrations if m.sort_key in applied})
    rows = (
        _rows(
            conn,
            "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        )
        or []
    )
    names = {str(row[0]) for row in rows}
    return Adopted("Prisma", table, {v for v, m in known.items() if m.path.parent.name in names})
