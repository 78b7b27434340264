"""The live side of lint: the schema model and which tables are empty, from a database URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.db.schema.model import Schema


def live_schema(database_url: str) -> tuple[Schema, set[str]]:
    """The introspected schema and the names of its empty tables (one ``EXISTS`` probe per table, bounded
    to the tables the model knows)."""
    from stanchion.db.schema.ddl import ident
    from stanchion.db.schema.source import connect, existing, introspect_checked
    from stanchion.db.url import parse_url

    url = existing(parse_url(database_url))
    with connect(url) as conn:
        schema = introspect_checked(conn, None)
        names = sorted(schema.tables)
        empty: set[str] = set()
        for start in range(0, len(names), 200):
            chunk = names[start : start + 200]
            probes = " UNION ALL ".join(
                f"SELECT '{n.replace(chr(39), chr(39) * 2)}' AS t WHERE NOT EXISTS "
                f"(SELECT 1 FROM {ident(n, schema.dialect)})"
                for n in chunk
            )
            if probes:
                empty |= {row[0] for row in conn.exec_driver_sql(probes)}
    return schema, empty
