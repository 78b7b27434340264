"""DROP INDEX without CONCURRENTLY.

A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the table, queueing every read and write behind it
(and behind whatever long query it waits for). DROP INDEX CONCURRENTLY does not.

Bad::

    DROP INDEX orders_customer_id;

Good::

    DROP INDEX CONCURRENTLY orders_customer_id;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("require-concurrent-index-deletion", "error")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import ObjectType

    for stmt in ctx.statements:
        node = stmt.node
        if (
            isinstance(node, ast.DropStmt)
            and node.removeType == ObjectType.OBJECT_INDEX
            and not node.concurrent
        ):
            yield ctx.finding(
                RULE, stmt, "DROP INDEX locks the table against reads and writes; use CONCURRENTLY"
            )
