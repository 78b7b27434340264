"""Changing a column's type on an existing table.

Most type changes rewrite the table and every index on it under an ACCESS EXCLUSIVE lock (MySQL copies
the table). Add a new column, backfill it in batches, and switch readers over instead.

Bad::

    ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
    -- dialect: mysql
    ALTER TABLE orders MODIFY total decimal(12, 2);

Good::

    ALTER TABLE orders ADD COLUMN total_v2 numeric(12, 2);
    -- dialect: mysql
    ALTER TABLE orders ADD COLUMN total_v2 decimal(12, 2);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, glot_alter_actions, pg_alter_cmds

RULE = LintRuleInfo("changing-column-type", "error", ("postgresql", "mysql"), size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast.enums import AlterTableType

        for stmt, table, cmd in pg_alter_cmds(ctx):
            if cmd.subtype == AlterTableType.AT_AlterColumnType and not ctx.is_new(table):
                yield ctx.finding(
                    RULE, stmt, f"changing the type of {table}.{cmd.name} rewrites the table", table
                )
        return
    from sqlglot import exp

    for stmt, table, action in glot_alter_actions(ctx):
        changes = isinstance(action, exp.ModifyColumn) or (
            isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None
        )
        if changes and not ctx.is_new(table):
            yield ctx.finding(RULE, stmt, f"changing a column type on {table} copies the whole table", table)
