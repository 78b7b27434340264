"""Read a live database into the schema model with a fixed number of bulk catalog queries per dialect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stanchion.errors import EnvironmentProblem

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.db.schema.model import Schema


# Bookkeeping tables of migration tools: not part of the application's schema, so never analysed or diffed.
HISTORY_TABLES = frozenset(
    {
        "stanchion_migrations",
        "schema_migrations",
        "flyway_schema_history",
        "_prisma_migrations",
        "alembic_version",
    }
)


def introspect(
    conn: Connection, schema: str | None = None, *, include_history: bool = False, qualified: bool = False
) -> Schema:
    """The schema of the database ``conn`` is connected to (PostgreSQL ``schema``, default ``public``),
    without migration-history tables unless ``include_history``; ``qualified``: PostgreSQL expressions name
    the schema of every object they mention (for statements that must not depend on ``search_path``)."""
    name = conn.dialect.name
    if name == "postgresql":
        from stanchion.db.schema.introspect.postgresql import introspect as pg

        result = pg(conn, schema or "public", qualified=qualified)
    elif name == "sqlite":
        from stanchion.db.schema.introspect.sqlite import introspect as lite

        result = lite(conn)
    elif name in ("mysql", "mariadb"):
        from stanchion.db.schema.introspect.mysql import introspect as my

        result = my(conn)
    else:
        raise EnvironmentProblem(f"schema introspection does not support the {name} dialect")
    if not include_history:
        for table in HISTORY_TABLES & set(result.tables):
            del result.tables[table]
        for key in [
            k for k, seq in result.sequences.items() if (seq.owned_by or "").split(".")[0] in HISTORY_TABLES
        ]:
            del result.sequences[key]
    return result
