"""CREATE INDEX without CONCURRENTLY on an existing table.

A plain CREATE INDEX takes a SHARE lock: every insert, update and delete on the table waits until the
whole index is built. CONCURRENTLY builds it without blocking writes (outside a transaction: mark the
migration ``-- migrate:up transaction:false``).

Bad::

    CREATE INDEX orders_customer_id ON orders (customer_id);

Good::

    CREATE INDEX CONCURRENTLY orders_customer_id ON orders (customer_id);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("require-concurrent-index-creation", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast

    for stmt in ctx.statements:
        node = stmt.node
        if not isinstance(node, ast.IndexStmt) or node.relation is None or node.concurrent:
            continue
        table = str(node.relation.relname)
        if not ctx.is_new(table, stmt):
            yield ctx.finding(
                RULE, stmt, f"CREATE INDEX on {table} blocks writes while it builds; use CONCURRENTLY", table
            )
