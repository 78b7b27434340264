"""A migration that takes a strong lock on an existing table without setting lock_timeout first.

An ALTER TABLE waiting for its lock behind one long query blocks every query queued after it, so the
table is down for as long as that query runs. ``SET lock_timeout`` makes the migration give up (and
retry later) instead.

Bad::

    ALTER TABLE orders ADD COLUMN note text;

Good::

    SET lock_timeout = '2s';
    ALTER TABLE orders ADD COLUMN note text;
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("require-lock-timeout", "warning")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast

    for stmt in ctx.statements:
        node: Any = stmt.node
        if isinstance(node, ast.VariableSetStmt) and node.name == "lock_timeout":
            return
        table = None
        if (isinstance(node, ast.AlterTableStmt | ast.RenameStmt) and node.relation is not None) or (
            isinstance(node, ast.IndexStmt) and not node.concurrent
        ):
            table = str(node.relation.relname) if node.relation is not None else "?"
        elif isinstance(node, ast.DropStmt) and not getattr(node, "concurrent", False):
            table = "?"
        if table is not None and not ctx.is_new(table, stmt):
            yield ctx.finding(
                RULE, stmt, "this statement waits for a strong lock with no lock_timeout set before it", table
            )
            return
