"""Dropping a column.

The data is gone, and application code still running the old release (during a deploy, or a rollback)
fails on queries that name the column. Stop using it in one release, drop it in a later one, and say so
with a suppression.

Bad::

    ALTER TABLE account DROP COLUMN nickname;
    -- dialect: sqlite
    ALTER TABLE account DROP COLUMN nickname;
    -- dialect: mysql
    ALTER TABLE account DROP COLUMN nickname;

Good::

    -- stanchion:ignore ban-drop-column -- unused since release 4.2, no reader left
    ALTER TABLE account DROP COLUMN nickname;
    -- dialect: sqlite
    ALTER TABLE account ADD COLUMN nickname TEXT;
    -- dialect: mysql
    ALTER TABLE account ADD COLUMN nickname text;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, glot_alter_actions, pg_alter_cmds

RULE = LintRuleInfo("ban-drop-column", "error", ("postgresql", "sqlite", "mysql"))


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast.enums import AlterTableType

        for stmt, table, cmd in pg_alter_cmds(ctx):
            if cmd.subtype == AlterTableType.AT_DropColumn:
                yield ctx.finding(RULE, stmt, f"dropping {table}.{cmd.name} loses its data", table)
        return
    from sqlglot import exp

    for stmt, table, action in glot_alter_actions(ctx):
        if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "COLUMN":
            yield ctx.finding(RULE, stmt, f"dropping a column of {table} loses its data", table)
