"""Which columns of which tables a query filters, joins and sorts on, from PostgreSQL's own parser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stanchion.db.schema.model import Schema

_RANGE_OPS = {"<", ">", "<=", ">=", "~~", "~~*"}


def query_columns(query: str, schema: Schema) -> dict[str, dict[str, list[str]]]:
    """``{table: {"eq": [...], "range": [...], "sort": [...], "join": [...]}}`` for ``query``."""
    from pglast import ast, parser
    from pglast.enums import A_Expr_Kind
    from pglast.visitors import Visitor

    try:
        tree = parser.parse_sql(query)
    except parser.ParseError:
        return {}
    aliases: dict[str, str] = {}
    tables: list[str] = []

    class Relations(Visitor):
        def visit_RangeVar(self, ancestors: Any, node: ast.RangeVar) -> None:
            name = str(node.relname)
            tables.append(name)
            aliases[name] = name
            if node.alias is not None:
                aliases[str(node.alias.aliasname)] = name

    Relations()(tree)
    usage: dict[str, dict[str, list[str]]] = {}

    def resolve(ref: Any) -> tuple[str, str] | None:
        if not isinstance(ref, ast.ColumnRef):
            return None
        names = [getattr(f, "sval", None) for f in ref.fields or ()]
        if not names or names[-1] is None:
            return None
        column = str(names[-1])
        if len(names) >= 2 and names[-2] in aliases:
            return aliases[str(names[-2])], column
        owners = [t for t in dict.fromkeys(tables) if t in schema.tables and schema.tables[t].column(column)]
        return (owners[0], column) if len(owners) == 1 else None

    def add(kind: str, ref: Any) -> None:
        hit = resolve(ref)
        if hit is not None:
            bucket = usage.setdefault(hit[0], {"eq": [], "range": [], "sort": [], "join": []})[kind]
            if hit[1] not in bucket:
                bucket.append(hit[1])

    class Predicates(Visitor):
        def visit_A_Expr(self, ancestors: Any, node: ast.A_Expr) -> None:
            op = str(node.name[-1].sval) if node.name else ""
            left, right = node.lexpr, node.rexpr
            both_columns = isinstance(left, ast.ColumnRef) and isinstance(right, ast.ColumnRef)
            if node.kind == A_Expr_Kind.AEXPR_OP and op == "=" and both_columns:
                add("join", left)
                add("join", right)
            elif node.kind in (A_Expr_Kind.AEXPR_OP, A_Expr_Kind.AEXPR_IN) and op in ("=", "IN"):
                add("eq", left if isinstance(left, ast.ColumnRef) else right)
            elif node.kind == A_Expr_Kind.AEXPR_OP and op in _RANGE_OPS:
                add("range", left if isinstance(left, ast.ColumnRef) else right)
            elif node.kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE):
                add("range", left)

        def visit_NullTest(self, ancestors: Any, node: ast.NullTest) -> None:
            add("eq", node.arg)

        def visit_SortBy(self, ancestors: Any, node: ast.SortBy) -> None:
            add("sort", node.node)

    Predicates()(tree)
    return usage
