"""A statement PostgreSQL refuses inside a transaction block (CREATE INDEX, DROP INDEX or REINDEX
CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM, CREATE DATABASE, ALTER SYSTEM) where it would run in
one: a migration the runner wraps in a transaction, or an explicit BEGIN block of a
``transaction:false`` migration.

The migration fails at deploy time. Mark the file ``-- migrate:up transaction:false``, keep such a
statement out of BEGIN ... COMMIT, and keep the file to that one statement, since nothing rolls it back.

Bad::

    -- migrate:up
    CREATE INDEX CONCURRENTLY orders_customer_id ON orders (customer_id);
    -- migrate:down
    DROP INDEX orders_customer_id;

Good::

    -- migrate:up transaction:false
    CREATE INDEX CONCURRENTLY orders_customer_id ON orders (customer_id);
    -- migrate:down transaction:false
    DROP INDEX CONCURRENTLY orders_customer_id;
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("concurrently-in-transaction", "error")


def refused_in_transaction(node: Any) -> str | None:
    """What ``node`` is when PostgreSQL refuses it inside a transaction block, else None."""
    from pglast import ast
    from pglast.enums import AlterTableType

    if isinstance(node, ast.IndexStmt) and node.concurrent:
        return "CREATE INDEX CONCURRENTLY"
    if isinstance(node, ast.DropStmt) and node.concurrent:
        return "DROP INDEX CONCURRENTLY"
    if isinstance(node, ast.ReindexStmt) and any(
        getattr(p, "defname", "") == "concurrently" for p in node.params or ()
    ):
        return "REINDEX CONCURRENTLY"
    if isinstance(node, ast.AlterTableStmt):
        for cmd in node.cmds or ():
            if cmd.subtype == AlterTableType.AT_DetachPartition and getattr(cmd.def_, "concurrent", False):
                return "DETACH PARTITION CONCURRENTLY"
    names = {
        ast.VacuumStmt: "VACUUM",
        ast.CreatedbStmt: "CREATE DATABASE",
        ast.DropdbStmt: "DROP DATABASE",
        ast.AlterSystemStmt: "ALTER SYSTEM",
        ast.CreateTableSpaceStmt: "CREATE TABLESPACE",
    }
    kind = type(node)
    if kind is ast.VacuumStmt and not node.is_vacuumcmd:
        return None  # ANALYZE alone runs in a transaction
    return names.get(kind)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt in ctx.statements:
        what = refused_in_transaction(stmt.node)
        if what is None:
            continue
        transaction = ctx.transaction_of(stmt)
        if transaction == 0:
            yield ctx.finding(
                RULE, stmt, f"{what} cannot run inside the migration's transaction; mark it transaction:false"
            )
        elif transaction is not None:
            yield ctx.finding(
                RULE, stmt, f"{what} cannot run inside this BEGIN ... COMMIT block; move it out"
            )
