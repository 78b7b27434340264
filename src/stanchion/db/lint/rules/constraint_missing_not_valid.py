"""A foreign key or check constraint added to an existing table without NOT VALID, or validated in the
same transaction that added it NOT VALID.

Adding it validates every existing row while holding a lock that blocks writes (for a foreign key, on both
tables). Add it NOT VALID (instant), then VALIDATE CONSTRAINT in a later migration, which only takes a
lock that lets reads and writes continue. Validating in the same transaction as the NOT VALID add keeps
the add's lock through the whole scan, so the point of NOT VALID is lost.

Bad::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id);
    ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;

Good::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_checked_last_release;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_alter_cmds

RULE = LintRuleInfo("constraint-missing-not-valid", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        if ctx.is_new(table, stmt):
            continue
        if cmd.subtype == AlterTableType.AT_ValidateConstraint:
            added = next(
                (
                    c
                    for c in ctx.facts.constraints
                    if c.table == table and c.name == cmd.name and 0 <= c.added < stmt.index
                ),
                None,
            )
            current = ctx.transaction_of(stmt)
            if (
                added is not None
                and current is not None
                and ctx.transaction_of(ctx.statements[added.added]) == current
            ):
                yield ctx.finding(
                    RULE,
                    stmt,
                    f"VALIDATE CONSTRAINT {cmd.name} runs in the transaction that added it NOT VALID: the "
                    "add's lock is held through the scan; validate in a later migration",
                    table,
                )
            continue
        con = cmd.def_
        if cmd.subtype != AlterTableType.AT_AddConstraint or not isinstance(con, ast.Constraint):
            continue
        if con.contype not in (ConstrType.CONSTR_FOREIGN, ConstrType.CONSTR_CHECK) or con.skip_validation:
            continue
        kind = "foreign key" if con.contype == ConstrType.CONSTR_FOREIGN else "check constraint"
        yield ctx.finding(
            RULE,
            stmt,
            f"{kind} on {table} validates every row under a write lock; add it NOT VALID, then VALIDATE",
            table,
        )
