"""REINDEX without CONCURRENTLY on an existing table or index.

A plain REINDEX locks out writes to the table (and reads that would use the index) until the rebuild
ends. REINDEX ... CONCURRENTLY (PostgreSQL 12+) builds the new index beside the old one and swaps them;
like CREATE INDEX CONCURRENTLY it cannot run in a transaction, so mark the migration
``-- migrate:up transaction:false``.

Bad::

    REINDEX INDEX orders_customer_id;
    REINDEX TABLE orders;

Good::

    -- migrate:up transaction:false
    REINDEX INDEX CONCURRENTLY orders_customer_id;
    -- migrate:down
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("require-concurrent-reindex", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import ReindexObjectType

    for stmt in ctx.statements:
        node: Any = stmt.node
        if not isinstance(node, ast.ReindexStmt):
            continue
        if any(getattr(p, "defname", "") == "concurrently" for p in node.params or ()):
            continue
        relation = str(node.relation.relname) if node.relation is not None else None
        table = (
            relation if node.kind == ReindexObjectType.REINDEX_OBJECT_TABLE else _index_table(ctx, relation)
        )
        if table is not None and ctx.is_new(table, stmt):
            continue
        if (
            relation is not None
            and node.kind == ReindexObjectType.REINDEX_OBJECT_INDEX
            and _new_index(ctx, stmt, relation)
        ):
            continue
        advice = (
            "use CONCURRENTLY"
            if ctx.pg_major >= 12
            else f"PostgreSQL {ctx.pg_major} has no CONCURRENTLY: rebuild with CREATE INDEX CONCURRENTLY and swap"
        )
        yield ctx.finding(RULE, stmt, f"REINDEX blocks writes while it rebuilds; {advice}", table)


def _index_table(ctx: LintContext, index: str | None) -> str | None:
    """The table of a live index (None when unknown)."""
    if index is None or ctx.live is None:
        return None
    for table in ctx.live.tables.values():
        if any(i.name == index for i in table.indexes):
            return str(table.name)
    return None


def _new_index(ctx: LintContext, stmt: Any, index: str) -> bool:
    """True when an earlier statement of this migration created ``index`` on a table it also created."""
    from pglast import ast

    for earlier in ctx.statements[: stmt.index]:
        node: Any = earlier.node
        if isinstance(node, ast.IndexStmt) and node.idxname == index and node.relation is not None:
            return ctx.is_new(str(node.relation.relname), earlier)
    return False
