"""Adding a UNIQUE or PRIMARY KEY constraint to an existing table without USING INDEX.

The constraint builds its index while holding an ACCESS EXCLUSIVE lock. Build a unique index
CONCURRENTLY first, then attach it with ``ADD CONSTRAINT ... UNIQUE USING INDEX``, which is instant.

Bad::

    ALTER TABLE account ADD CONSTRAINT account_email_key UNIQUE (email);

Good::

    ALTER TABLE account ADD CONSTRAINT account_email_key UNIQUE USING INDEX account_email_idx;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_alter_cmds

RULE = LintRuleInfo("constraint-without-using-index", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        con = cmd.def_
        if cmd.subtype != AlterTableType.AT_AddConstraint or not isinstance(con, ast.Constraint):
            continue
        if con.contype in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY) and not con.indexname:
            if ctx.is_new(table, stmt):
                continue
            kind = "PRIMARY KEY" if con.contype == ConstrType.CONSTR_PRIMARY else "UNIQUE"
            yield ctx.finding(
                RULE, stmt, f"adding {kind} on {table} builds its index under an exclusive lock", table
            )
