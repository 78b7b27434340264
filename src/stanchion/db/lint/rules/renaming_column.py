"""Renaming a column.

Code of the release still running (during a rolling deploy or after a rollback) uses the old name and
fails. Add the new column, write both, backfill, switch readers, then drop the old one.

Bad::

    ALTER TABLE account RENAME COLUMN name TO full_name;
    -- dialect: sqlite
    ALTER TABLE account RENAME COLUMN name TO full_name;
    -- dialect: mysql
    ALTER TABLE account RENAME COLUMN name TO full_name;

Good::

    ALTER TABLE account ADD COLUMN full_name text;
    -- dialect: sqlite
    ALTER TABLE account ADD COLUMN full_name TEXT;
    -- dialect: mysql
    ALTER TABLE account ADD COLUMN full_name text;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, glot_alter_actions

RULE = LintRuleInfo("renaming-column", "warning", ("postgresql", "sqlite", "mysql"))


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast import ast
        from pglast.enums import ObjectType

        for stmt in ctx.statements:
            node = stmt.node
            if isinstance(node, ast.RenameStmt) and node.renameType == ObjectType.OBJECT_COLUMN:
                table = node.relation.relname if node.relation is not None else None
                if not ctx.is_new(table, stmt):
                    yield ctx.finding(
                        RULE,
                        stmt,
                        f"renaming {table}.{node.subname} breaks code that uses the old name",
                        table,
                    )
        return
    from sqlglot import exp

    for stmt, table, action in glot_alter_actions(ctx):
        renames = isinstance(action, exp.RenameColumn) or (
            isinstance(action, exp.ModifyColumn) and action.args.get("rename_from") is not None
        )
        if renames and not ctx.is_new(table, stmt):
            yield ctx.finding(
                RULE, stmt, f"renaming a column of {table} breaks code that uses the old name", table
            )
