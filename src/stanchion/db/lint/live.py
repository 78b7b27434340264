"""The live side of lint: what a database URL tells the rules that the migration text cannot.

* the schema model (columns and their types, constraints, existing indexes), from the one introspection;
* which tables are empty (one ``EXISTS`` probe per table), and each table's row estimate (``reltuples``,
  unknown until the table is first analysed) and size, for the severity of a rewrite or a long lock;
* PostgreSQL's function volatility (``pg_proc.provolatile``) for every function name the migrations call
  in a column default, user-defined ones included;
* the server's major version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from stanchion.db.schema.model import Schema

LARGE_ROWS = 10_000
LARGE_BYTES = 10 * 1024 * 1024
"""A table counts as large from this row estimate or this size (table, indexes and TOAST) on: a rewrite or
a scan under an exclusive lock there is an outage, below it a pause of a fraction of a second."""


@dataclass
class LiveFacts:
    schema: Schema
    empty: set[str] = field(default_factory=set)
    estimates: dict[str, int | None] = field(
        default_factory=dict
    )  # table -> reltuples (None: never analysed)
    volatility: dict[str, str] = field(
        default_factory=dict
    )  # function name -> "v" when any overload is volatile
    major: int | None = None  # PostgreSQL major version (15), None for other dialects
    checks: list[Any] | None = (
        None  # the CHECK constraints as lint facts (facts.Constraint), read on first use
    )

    def size_class(self, table: str) -> Literal["empty", "small", "large", "unknown"]:
        """How big ``table`` is: empty (probed), small or large (estimate and size), unknown (not live)."""
        if table in self.empty:
            return "empty"
        found = self.schema.tables.get(table)
        if found is None:
            return "unknown"
        rows = self.estimates.get(table, found.stats.rows)
        size = found.stats.size_bytes or 0
        if rows is None or rows >= LARGE_ROWS or size >= LARGE_BYTES:
            return "large"
        return "small"

    def describe(self, table: str) -> str:
        found = self.schema.tables[table]
        rows = self.estimates.get(table, found.stats.rows)
        estimate = f"~{rows} rows" if rows is not None else "row estimate unknown (never analysed)"
        indexes = len(found.indexes)
        return (
            f"table {table}: {estimate}, {(found.stats.size_bytes or 0) // 1024} kB, "
            f"{indexes} index{'es' if indexes != 1 else ''}"
        )


_ESTIMATES = """
SELECT c.relname, c.reltuples::bigint AS reltuples, current_setting('server_version_num')::int AS version
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
"""

_VOLATILITY = """
SELECT p.proname, max(CASE WHEN p.provolatile = 'v' THEN 'v' ELSE 's' END) AS volatility
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_toast') AND p.prokind IN ('f', 'w')
GROUP BY p.proname
"""


def live_facts(database_url: str) -> LiveFacts:
    """The facts of the database at ``database_url`` (three catalog queries beside the introspection)."""
    from stanchion.db.schema.ddl import ident
    from stanchion.db.schema.source import connect, existing, introspect_checked
    from stanchion.db.url import parse_url

    url = existing(parse_url(database_url))
    with connect(url) as conn:
        schema = introspect_checked(conn, None)
        facts = LiveFacts(schema)
        names = sorted(schema.tables)
        for start in range(0, len(names), 200):
            chunk = names[start : start + 200]
            probes = " UNION ALL ".join(
                f"SELECT '{n.replace(chr(39), chr(39) * 2)}' AS t WHERE NOT EXISTS "
                f"(SELECT 1 FROM {ident(n, schema.dialect)})"
                for n in chunk
            )
            if probes:
                facts.empty |= {row[0] for row in conn.exec_driver_sql(probes)}
        if schema.dialect == "postgresql":
            for name, reltuples, version in conn.exec_driver_sql(_ESTIMATES):
                facts.estimates[name] = None if reltuples is None or reltuples < 0 else int(reltuples)
                facts.major = int(version) // 10000
            facts.volatility = {str(n): str(v) for n, v in conn.exec_driver_sql(_VOLATILITY)}
            if facts.major is None and schema.server_version:
                facts.major = int(schema.server_version.split(".")[0])
    return facts
