"""Reading pg_stat_statements for the current database, and the shape of a query (pglast)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stanchion.db.analyze.base import Context

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

STATEMENTS = """
SELECT s.queryid, s.query, s.calls, s.total_exec_time, s.mean_exec_time, s.rows
FROM pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND s.calls > 0
ORDER BY s.total_exec_time DESC
LIMIT 2000
"""


@dataclass
class Statement:
    queryid: int
    query: str
    calls: int
    total_ms: float
    mean_ms: float
    rows: int

    @property
    def short(self) -> str:
        text = " ".join(self.query.split())
        return text if len(text) <= 120 else text[:117] + "..."


def statements(ctx: Context) -> list[Statement]:
    """Plannable statements (SELECT/INSERT/UPDATE/DELETE/WITH) recorded for this database."""
    return read_statements(ctx.conn) if ctx.conn is not None else []


def read_statements(conn: Connection) -> list[Statement]:
    """The plannable statements pg_stat_statements holds for the database ``conn`` is connected to."""
    from sqlalchemy import text

    out = []
    for r in conn.execute(text(STATEMENTS)):
        head = r.query.lstrip().split(None, 1)[0].upper() if r.query.strip() else ""
        if head in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "TABLE"):
            out.append(
                Statement(
                    int(r.queryid),
                    r.query,
                    int(r.calls),
                    float(r.total_exec_time),
                    float(r.mean_exec_time),
                    int(r.rows),
                )
            )
    return out


def tables_read(query: str) -> set[str]:
    """Names of the tables a query reads, from PostgreSQL's own parser; empty when it does not parse."""
    from pglast import ast, parser
    from pglast.visitors import Visitor

    try:
        tree = parser.parse_sql(query)
    except parser.ParseError:
        return set()
    found: set[str] = set()

    class Tables(Visitor):
        def visit_RangeVar(self, ancestors: Any, node: ast.RangeVar) -> None:
            found.add(str(node.relname))

    Tables()(tree)
    return found


def single_row_lookup(query: str) -> str | None:
    """The table, when ``query`` is a one-table SELECT filtered by equality (the shape of an N+1 child)."""
    from pglast import ast, parser

    try:
        tree = parser.parse_sql(query)
    except parser.ParseError:
        return None
    if len(tree) != 1 or not isinstance(tree[0].stmt, ast.SelectStmt):
        return None
    select = tree[0].stmt
    if (
        not select.fromClause
        or len(select.fromClause) != 1
        or not isinstance(select.fromClause[0], ast.RangeVar)
    ):
        return None
    where = select.whereClause
    if isinstance(where, ast.A_Expr) and where.name and where.name[0].sval == "=":
        return str(select.fromClause[0].relname)
    return None
