"""A migration that takes a strong lock on an existing table without setting lock_timeout first.

An ALTER TABLE waiting for its lock behind one long query blocks every query queued after it, so the
table is down for as long as that query runs. ``SET lock_timeout`` makes the migration give up (and
retry later) instead. Stanchion's runner sets ``lock_timeout`` itself for every migration (``lock_timeout``
in the configuration, 5s by default; ``--lock-timeout``), so where that setting is on the finding is only
``info``, kept for files another tool may run; with ``lock_timeout = "0"`` it is a warning.

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
            finding = ctx.finding(
                RULE, stmt, "this statement waits for a strong lock with no lock_timeout set before it", table
            )
            if ctx.runner_lock_timeout_ms:
                finding.severity = "info"
                finding.note = (
                    f"Stanchion's runner sets lock_timeout = {ctx.runner_lock_timeout_ms}ms (lock_timeout in the "
                    "configuration); set it in the file when another tool runs it"
                )
            yield finding
            return
