"""Renaming a table.

Every query of the release still running names the old table and fails. Create a view under the old name
for the transition, or copy and switch over in steps.

Bad::

    ALTER TABLE account RENAME TO member;
    -- dialect: sqlite
    ALTER TABLE account RENAME TO member;
    -- dialect: mysql
    ALTER TABLE account RENAME TO member;

Good::

    CREATE VIEW member AS SELECT * FROM account;
    -- dialect: sqlite
    CREATE VIEW member AS SELECT * FROM account;
    -- dialect: mysql
    CREATE VIEW member AS SELECT * FROM account;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, glot_alter_actions

RULE = LintRuleInfo("renaming-table", "warning", ("postgresql", "sqlite", "mysql"))


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast import ast
        from pglast.enums import ObjectType

        for stmt in ctx.statements:
            node = stmt.node
            if isinstance(node, ast.RenameStmt) and node.renameType == ObjectType.OBJECT_TABLE:
                table = node.relation.relname if node.relation is not None else None
                if not ctx.is_new(table, stmt):
                    yield ctx.finding(
                        RULE, stmt, f"renaming table {table} breaks code that uses the old name", table
                    )
        return
    from sqlglot import exp

    for stmt, table, action in glot_alter_actions(ctx):
        if isinstance(action, exp.AlterRename) and not ctx.is_new(table, stmt):
            yield ctx.finding(RULE, stmt, f"renaming table {table} breaks code that uses the old name", table)
