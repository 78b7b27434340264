"""CREATE INDEX on exactly the columns of an index that already exists: one created earlier in the
migration or, with ``--database-url``, a valid index of the live database (a primary key or unique
constraint's included).

The second index answers no query the first does not, yet every insert and update now writes both, and
building it still costs a scan (and a lock, without CONCURRENTLY). Drop the new one, or drop the old one
in the same release if the new one replaces it (a unique index over a plain one adds a constraint, and is
not flagged).

Bad::

    CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);
    CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);

Good::

    CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);
    CREATE INDEX CONCURRENTLY orders_customer_created ON orders (customer_id, created_at);
    DROP INDEX CONCURRENTLY orders_status;
    CREATE INDEX CONCURRENTLY orders_status_v2 ON orders (status);
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, Stmt

RULE = LintRuleInfo("index-already-exists", "warning")


def _plain(node: Any) -> tuple[str, list[str]] | None:
    """(method, columns) of an index on plain columns without WHERE or INCLUDE, else None."""
    params = node.indexParams or ()
    if node.whereClause is not None or node.indexIncludingParams or not params:
        return None
    if not all(getattr(p, "name", None) for p in params):
        return None
    return str(node.accessMethod or "btree").lower(), [str(p.name) for p in params]


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast

    for stmt in ctx.statements:
        node: Any = stmt.node
        if not isinstance(node, ast.IndexStmt) or node.relation is None or node.if_not_exists:
            continue
        shape = _plain(node)
        if shape is None:
            continue
        table = str(node.relation.relname)
        same = _existing(ctx, stmt, table, shape, bool(node.unique))
        if same is not None:
            yield ctx.finding(
                RULE,
                stmt,
                f"index {node.idxname or '(unnamed)'} on {table} ({', '.join(shape[1])}) duplicates {same}",
                table,
            )


def _existing(
    ctx: LintContext, stmt: Stmt, table: str, shape: tuple[str, list[str]], unique: bool
) -> str | None:
    from pglast import ast
    from pglast.enums import ObjectType

    dropped: set[str] = set()
    for earlier in ctx.statements[: stmt.index]:
        node: Any = earlier.node
        if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_INDEX:
            dropped |= {str(name[-1].sval) for name in node.objects or ()}
        elif isinstance(node, ast.IndexStmt) and node.relation is not None:
            same_table = str(node.relation.relname) == table
            if (
                same_table
                and _plain(node) == shape
                and (node.unique or not unique)
                and node.idxname not in dropped
            ):
                return f"index {node.idxname} created earlier in this migration"
    live = ctx.live_table(table)
    for index in live.indexes if live is not None else ():
        if index.name in dropped or not index.valid or index.where is not None or index.include:
            continue
        if (index.method, index.columns) == shape and (index.unique or not unique):
            return f"the live index {index.name}"
    return None
