"""A foreign key or check constraint added to an existing table without NOT VALID.

Adding it validates every existing row while holding a lock that blocks writes (for a foreign key, on both
tables). Add it NOT VALID (instant), then VALIDATE CONSTRAINT in a later migration, which only takes a
lock that lets reads and writes continue.

Bad::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id);

Good::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id) NOT VALID;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_alter_cmds

RULE = LintRuleInfo("constraint-missing-not-valid", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        con = cmd.def_
        if cmd.subtype != AlterTableType.AT_AddConstraint or not isinstance(con, ast.Constraint):
            continue
        if con.contype not in (ConstrType.CONSTR_FOREIGN, ConstrType.CONSTR_CHECK) or con.skip_validation:
            continue
        if ctx.is_new(table):
            continue
        kind = "foreign key" if con.contype == ConstrType.CONSTR_FOREIGN else "check constraint"
        yield ctx.finding(
            RULE,
            stmt,
            f"{kind} on {table} validates every row under a write lock; add it NOT VALID, then VALIDATE",
            table,
        )
