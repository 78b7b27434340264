"""BEGIN, COMMIT or ROLLBACK inside a migration: nested in the transaction the runner already opened, or
in a migration marked ``transaction:false``.

In a migration the runner wraps in a transaction, an inner BEGIN only warns (PostgreSQL has no nested
transactions) and any COMMIT, even one closing that BEGIN, ends the runner's transaction early: a failure after it leaves the migration half-applied and unrecorded. In a
``transaction:false`` migration the runner drops a BEGIN ... COMMIT around the whole file (so nothing is
atomic, whatever the file says) and records progress statement by statement, so a failure inside an inner
BEGIN block rolls back statements the runner has already counted as done, and ``migrate --resume`` skips
them. Let the runner manage the transaction: drop ``transaction:false`` to make the file atomic, or split
it. A BEGIN ... COMMIT around the whole of a transactional migration is dropped by the runner and is fine.

Bad::

    -- migrate:up transaction:false
    BEGIN;
    ALTER TABLE orders ADD COLUMN note text;
    COMMIT;
    -- migrate:down

Good::

    BEGIN;
    ALTER TABLE orders ADD COLUMN note text;
    COMMIT;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("transaction-nesting", "error")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import TransactionStmtKind as K

    is_open = ctx.in_transaction  # PostgreSQL has no nested transactions: one is open or none
    for stmt in ctx.statements:
        node = stmt.node
        if not isinstance(node, ast.TransactionStmt):
            continue
        opens = node.kind in (K.TRANS_STMT_BEGIN, K.TRANS_STMT_START)
        closes = node.kind in (K.TRANS_STMT_COMMIT, K.TRANS_STMT_ROLLBACK)
        if stmt.index in ctx.facts.stripped:
            if not ctx.in_transaction and opens:
                yield ctx.finding(
                    RULE,
                    stmt,
                    "this BEGIN ... COMMIT around a transaction:false migration is dropped by the runner: "
                    "the statements run one by one, not atomically",
                )
            continue
        if opens:
            if is_open:
                yield ctx.finding(RULE, stmt, "BEGIN inside a transaction: it is already open")
            elif not ctx.in_transaction:
                yield ctx.finding(
                    RULE,
                    stmt,
                    "BEGIN in a transaction:false migration: the runner records progress per statement, "
                    "so a failure in this block undoes statements it counted as done",
                )
            is_open = True
        elif closes:
            if ctx.in_transaction:
                yield ctx.finding(
                    RULE,
                    stmt,
                    "COMMIT/ROLLBACK ends the runner's transaction early (an inner BEGIN nests nothing)",
                )
            is_open = False
