"""Index advice: candidate indexes from the columns slow queries filter, join and sort on, each tested as
a HypoPG hypothetical index and kept when the planner's cost falls by at least half.

    result = suggest_indexes("postgresql://app@127.0.0.1/app", output=Path("migrations"))

Queries come from pg_stat_statements (the most total time first) or from a file. Parameterised queries
(``$1``) are planned as generic plans, as Dexter does. The migration written is dbmate style, outside a
transaction, with ``CREATE INDEX CONCURRENTLY``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.errors import EnvironmentProblem, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.db.schema.model import Schema
    from stanchion.db.url import DatabaseURL

TOP_STATEMENTS = """
SELECT s.query, s.calls, s.total_exec_time, s.mean_exec_time
FROM pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND s.mean_exec_time >= :min_mean_ms
ORDER BY s.total_exec_time DESC
LIMIT :limit
"""


@dataclass
class QueryCost:
    query: str
    cost_before: float
    cost_after: float

    @property
    def ratio(self) -> float:
        return self.cost_before / self.cost_after if self.cost_after > 0 else float("inf")


@dataclass
class Suggestion:
    table: str
    columns: list[str]
    queries: list[QueryCost] = field(default_factory=list)
    dialect: str = "postgresql"
    reason: str | None = None  # why, when no query cost proves it (structural advice from a schema file)

    @property
    def name(self) -> str:
        return f"{self.table}_{'_'.join(self.columns)}_idx"[:63]

    def create_sql(self) -> str:
        from stanchion.db.schema.ddl import ident, idents

        d = self.dialect
        if d == "postgresql":
            return (
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {ident(self.name, d)} "
                f"ON {ident(self.table, d)} ({idents(self.columns, d)})"
            )
        exists = " IF NOT EXISTS" if d == "sqlite" else ""
        return f"CREATE INDEX{exists} {ident(self.name, d)} ON {ident(self.table, d)} ({idents(self.columns, d)})"

    def drop_sql(self) -> str:
        from stanchion.db.schema.ddl import ident

        d = self.dialect
        if d == "postgresql":
            return f"DROP INDEX CONCURRENTLY IF EXISTS {ident(self.name, d)}"
        if d == "mysql":
            return f"DROP INDEX {ident(self.name, d)} ON {ident(self.table, d)}"
        return f"DROP INDEX IF EXISTS {ident(self.name, d)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "columns": self.columns,
            "index": self.name,
            "sql": self.create_sql(),
            "reason": self.reason,
            "queries": [
                {"query": q.query, "cost_before": q.cost_before, "cost_after": q.cost_after, "ratio": q.ratio}
                for q in self.queries
            ],
        }


@dataclass
class AdviceResult:
    source: str
    suggestions: list[Suggestion] = field(default_factory=list)
    examined: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    file: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "examined": self.examined,
            "suggestions": [s.to_json() for s in self.suggestions],
            "skipped": self.skipped,
            "file": self.file,
        }


def suggest_indexes(
    source: str,
    *,
    queries_file: Path | None = None,
    output: Path | None = None,
    scratch_url: str | None = None,
    min_gain: float = 2.0,
    min_mean_ms: float = 0.0,
    limit: int = 20,
) -> AdviceResult:
    """Suggest indexes for ``source`` (a PostgreSQL URL, or a schema file loaded into a scratch database,
    which then needs ``queries_file``)."""
    from stanchion.db.schema.source import connect, is_url, loaded
    from stanchion.db.url import parse_url

    queries = _read_queries(queries_file) if queries_file else None
    if is_url(source):
        url = parse_url(source)
        _require_postgres(url.dialect)
        with connect(url) as conn:
            result = _advise(conn, url.masked, queries, min_gain, min_mean_ms, limit)
    elif queries is None:
        # A schema file has no query history: fall back to the structural advice every join and every
        # parent delete needs (a foreign key no index leads with); --queries gives cost-tested advice.
        result = _structural(source, parse_url(scratch_url) if scratch_url else None)
    else:
        scratch = parse_url(scratch_url) if scratch_url else None
        with loaded(Path(source), "postgresql", scratch) as url, connect(url) as conn:
            _ensure_hypopg(conn, create=True)
            result = _advise(conn, source, queries, min_gain, min_mean_ms, limit)
    if output is not None and result.suggestions:
        from stanchion.db.schema.source import write_migration

        path = write_migration(
            output,
            "add_suggested_indexes",
            [s.create_sql() for s in result.suggestions],
            [s.drop_sql() for s in result.suggestions],
            transaction=all(s.dialect != "postgresql" for s in result.suggestions),
        )
        result.file = str(path)
    return result


def advise_queries(conn: Connection, source: str, queries: list[str], min_gain: float = 2.0) -> AdviceResult:
    """HypoPG-proven indexes for ``queries`` on an open connection (HypoPG created, else
    EnvironmentProblem); what ``stanchion perf`` asks about the statements an endpoint ran."""
    return _advise(conn, source, queries, min_gain, 0.0, len(queries))


def _structural(source: str, scratch: DatabaseURL | None) -> AdviceResult:
    """Indexes a schema needs whatever the queries: one per foreign key that no index leads with."""
    from stanchion.db.analyze.rules._helpers import covering_index
    from stanchion.db.schema.source import read_schema

    schema = read_schema(source, scratch=scratch)
    result = AdviceResult(source)
    for table in schema.tables.values():
        if table.partition_of:
            continue
        for fk in table.foreign_keys:
            pk = table.primary_key
            if covering_index(table, fk.columns) is not None or (
                pk is not None and set(pk.columns[: len(fk.columns)]) == set(fk.columns)
            ):
                continue
            reason = (
                f"foreign key {fk.name} -> {fk.ref_table} has no index on ({', '.join(fk.columns)}): joins from "
                f"{fk.ref_table} and every delete or key update there scan {table.name}"
            )
            result.suggestions.append(
                Suggestion(table.name, list(fk.columns), dialect=schema.dialect, reason=reason)
            )
    return result


def _require_postgres(dialect: str) -> None:
    if dialect != "postgresql":
        raise UsageError(
            f"suggest-indexes needs PostgreSQL (HypoPG); this is a {dialect} database",
            "run it against a PostgreSQL database",
        )


def _read_queries(path: Path) -> list[str]:
    from stanchion.db.schema.load import read_schema_file, split_statements

    return [s.sql for s in split_statements(read_schema_file(path), "postgresql", str(path))]


def _ensure_hypopg(conn: Connection, *, create: bool = False) -> None:
    have = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").first()
    if have:
        return
    available = conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'").first()
    if available and create:
        conn.exec_driver_sql("CREATE EXTENSION hypopg")
        return
    if available:
        raise EnvironmentProblem(
            "the HypoPG extension is not created in this database",
            "run CREATE EXTENSION hypopg (it only adds functions; hypothetical indexes live in the session)",
        )
    raise EnvironmentProblem(
        "the HypoPG extension is not installed on this server",
        "install it (Debian: apt-get install postgresql-15-hypopg), then CREATE EXTENSION hypopg",
    )


def _statement_queries(conn: Connection, min_mean_ms: float, limit: int) -> list[str]:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    have = conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'").first()
    if not have:
        raise EnvironmentProblem(
            "pg_stat_statements is not available in this database, so there are no slow queries to read",
            "CREATE EXTENSION pg_stat_statements (preloaded via shared_preload_libraries), or pass --queries",
        )
    try:
        rows = conn.execute(text(TOP_STATEMENTS), {"min_mean_ms": min_mean_ms, "limit": limit * 3})
    except DBAPIError as exc:
        raise EnvironmentProblem(
            f"cannot read pg_stat_statements: {str(exc.orig).strip().splitlines()[0]}",
            "add pg_stat_statements to shared_preload_libraries, or pass --queries",
        ) from exc
    out = []
    for row in rows:
        head = row.query.lstrip()[:6].upper()
        if head in ("SELECT", "UPDATE", "DELETE") and "pg_" not in row.query and "hypopg" not in row.query:
            out.append(row.query)
    return out[:limit]


def _advise(
    conn: Connection, source: str, queries: list[str] | None, min_gain: float, min_mean_ms: float, limit: int
) -> AdviceResult:
    from stanchion.db.schema.source import introspect_checked

    _ensure_hypopg(conn)
    schema = introspect_checked(conn, None)
    if queries is None:
        queries = _statement_queries(conn, min_mean_ms, limit)
    result = AdviceResult(source)
    found: dict[tuple[str, tuple[str, ...]], Suggestion] = {}
    for query in queries:
        result.examined += 1
        try:
            before = _cost(conn, query)
        except _Unplannable as exc:
            result.skipped.append({"query": query, "reason": str(exc)})
            continue
        best: tuple[float, str, list[str]] | None = None
        for table, columns in candidates(query, schema):
            after = _hypothetical_cost(conn, query, table, columns)
            if after is not None and after * min_gain <= before and (best is None or after < best[0]):
                best = (after, table, columns)
        if best is None:
            continue
        key = (best[1], tuple(best[2]))
        suggestion = found.setdefault(key, Suggestion(best[1], best[2]))
        suggestion.queries.append(QueryCost(query, before, best[0]))
    result.suggestions = list(found.values())
    return result


class _Unplannable(Exception):
    pass


def _scalar(conn: Connection, sql: str) -> Any:
    """One value, through the driver's cursor so that ``%`` in the query is never a placeholder."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        if cursor.description is None:
            return None
        row = cursor.fetchone()
        return row[0] if row else None
    finally:
        cursor.close()


def _cost(conn: Connection, query: str) -> float:
    import psycopg

    params = _param_count(query)
    try:
        if params:
            _scalar(conn, "SELECT set_config('plan_cache_mode', 'force_generic_plan', false)")
            _scalar(conn, f"PREPARE stanchion_advise AS {query}")
            args = ", ".join(["NULL"] * params)
            row = _scalar(conn, f"EXPLAIN (FORMAT JSON) EXECUTE stanchion_advise({args})")
        else:
            row = _scalar(conn, f"EXPLAIN (FORMAT JSON) {query}")
    except psycopg.Error as exc:
        raise _Unplannable(
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        ) from exc
    finally:
        if params:
            if _scalar(conn, "SELECT count(*) FROM pg_prepared_statements WHERE name = 'stanchion_advise'"):
                _scalar(conn, "DEALLOCATE stanchion_advise")
            _scalar(conn, "SELECT set_config('plan_cache_mode', 'auto', false)")
    plan = row if isinstance(row, list) else json.loads(row)
    return float(plan[0]["Plan"]["Total Cost"])


def _hypothetical_cost(conn: Connection, query: str, table: str, columns: list[str]) -> float | None:
    from stanchion.db.schema.ddl import ident, idents

    statement = f"CREATE INDEX ON {ident(table, 'postgresql')} ({idents(columns, 'postgresql')})"
    conn.exec_driver_sql("SELECT hypopg_reset()")
    try:
        conn.exec_driver_sql(
            f"SELECT * FROM hypopg_create_index('{statement.replace(chr(39), chr(39) * 2)}')"
        )
        return _cost(conn, query)
    except _Unplannable:
        return None
    finally:
        conn.exec_driver_sql("SELECT hypopg_reset()")


def _param_count(query: str) -> int:
    from pglast import ast, parser
    from pglast.visitors import Visitor

    highest = 0

    class Params(Visitor):
        def visit_ParamRef(self, ancestors: Any, node: ast.ParamRef) -> None:
            nonlocal highest
            highest = max(highest, int(node.number or 0))

    try:
        Params()(parser.parse_sql(query))
    except parser.ParseError:
        return 0
    return highest


def candidates(query: str, schema: Schema) -> list[tuple[str, list[str]]]:
    """Index candidates for ``query``: per table, the equality columns, then one range or sort column, and
    each column alone; only columns the table has and no existing index already leads with."""
    from stanchion.db.advise_parse import query_columns

    usage = query_columns(query, schema)
    out: list[tuple[str, list[str]]] = []
    for table, use in usage.items():
        model = schema.tables.get(table)
        if model is None:
            continue
        existing = [i.columns for i in model.indexes if i.valid]
        shapes: list[list[str]] = []
        eq = sorted(set(use["eq"]))
        if eq:
            shapes.append(eq)
        for extra in [*use["range"], *use["sort"]]:
            if extra not in eq:
                shapes.append([*eq, extra])
        for column in [*use["eq"], *use["range"], *use["sort"], *use["join"]]:
            shapes.append([column])
        seen: set[tuple[str, ...]] = set()
        for shape in shapes:
            key = tuple(shape)
            if key in seen or any(e[: len(shape)] == shape for e in existing):
                continue
            seen.add(key)
            out.append((table, shape))
    return out
