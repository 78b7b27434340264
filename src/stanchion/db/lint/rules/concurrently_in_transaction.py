"""CREATE INDEX, DROP INDEX or REINDEX CONCURRENTLY in a migration the runner wraps in a transaction.

PostgreSQL refuses CONCURRENTLY inside a transaction block, so the migration fails at deploy time. Mark
the file ``-- migrate:up transaction:false`` (and keep it to the one statement, since nothing rolls it
back).

Bad::

    -- migrate:up
    CREATE INDEX CONCURRENTLY orders_customer_id ON orders (customer_id);
    -- migrate:down
    DROP INDEX orders_customer_id;

Good::

    -- migrate:up transaction:false
    CREATE INDEX CONCURRENTLY orders_customer_id ON orders (customer_id);
    -- migrate:down transaction:false
    DROP INDEX CONCURRENTLY orders_customer_id;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("concurrently-in-transaction", "error")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast

    if not ctx.in_transaction:
        return
    for stmt in ctx.statements:
        node = stmt.node
        concurrent = (isinstance(node, ast.IndexStmt | ast.DropStmt) and bool(node.concurrent)) or (
            isinstance(node, ast.ReindexStmt) and "concurrently" in stmt.sql.lower()
        )
        if concurrent:
            yield ctx.finding(
                RULE,
                stmt,
                "CONCURRENTLY cannot run inside the migration's transaction; mark it transaction:false",
            )
