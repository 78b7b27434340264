"""Dropping a table.

The data is gone, and code of the previous release that still reads it fails. Rename it away first, or
drop it in a release after the last reader is gone, with a suppression saying why.

Bad::

    DROP TABLE audit_log;
    -- dialect: sqlite
    DROP TABLE audit_log;
    -- dialect: mysql
    DROP TABLE audit_log;

Good::

    -- stanchion:ignore ban-drop-table -- replaced by audit_event in release 3.0, archived to S3
    DROP TABLE audit_log;
    -- dialect: sqlite
    CREATE TABLE audit_log (id INTEGER PRIMARY KEY);
    -- dialect: mysql
    CREATE TABLE audit_log (id bigint PRIMARY KEY);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo

RULE = LintRuleInfo("ban-drop-table", "error", ("postgresql", "sqlite", "mysql"))


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast import ast
        from pglast.enums import ObjectType

        for stmt in ctx.statements:
            node = stmt.node
            if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
                names = [".".join(str(part.sval) for part in obj) for obj in node.objects or ()]
                if not all(ctx.is_new(n, stmt) for n in names):
                    yield ctx.finding(
                        RULE, stmt, f"dropping table {', '.join(names)} loses its data", names[0]
                    )
        return
    from sqlglot import exp

    for stmt in ctx.statements:
        node = stmt.node
        if isinstance(node, exp.Drop) and str(node.args.get("kind", "")).upper() == "TABLE":
            table = node.find(exp.Table)
            name = table.name if table is not None else "?"
            if not ctx.is_new(name, stmt):
                yield ctx.finding(RULE, stmt, f"dropping table {name} loses its data", name)
