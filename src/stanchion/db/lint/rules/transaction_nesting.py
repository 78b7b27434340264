"""BEGIN, COMMIT or ROLLBACK inside a migration the runner already wraps in a transaction.

The inner BEGIN only warns, and the inner COMMIT ends the runner's transaction early: a failure after it
leaves the migration half-applied and unrecorded. Let the runner manage the transaction, or mark the
file ``-- migrate:up transaction:false``.

Bad::

    BEGIN;
    ALTER TABLE orders ADD COLUMN note text;
    COMMIT;

Good::

    ALTER TABLE orders ADD COLUMN note text;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("transaction-nesting", "error")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import TransactionStmtKind as K

    depth = 1 if ctx.in_transaction else 0
    for stmt in ctx.statements:
        node = stmt.node
        if not isinstance(node, ast.TransactionStmt):
            continue
        if node.kind in (K.TRANS_STMT_BEGIN, K.TRANS_STMT_START):
            if depth:
                yield ctx.finding(RULE, stmt, "BEGIN inside a transaction: it is already open")
            depth += 1
        elif node.kind in (K.TRANS_STMT_COMMIT, K.TRANS_STMT_ROLLBACK):
            if ctx.in_transaction and depth <= 1:
                yield ctx.finding(RULE, stmt, "COMMIT/ROLLBACK ends the runner's transaction early")
            depth = max(depth - 1, 0)
