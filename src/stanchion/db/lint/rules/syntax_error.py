"""A statement the database's parser refuses, such as MySQL's ``INDEX name (col)`` inside a PostgreSQL
CREATE TABLE.

The migration would fail when it is applied, after the statements before it ran. The finding names the
file, line and column where the parser stopped; the other statements of the file are still linted.
PostgreSQL files are read by PostgreSQL's own parser, so what it refuses the server refuses too; MySQL's
``INDEX name (col)`` or ``KEY name (col)`` it accepts as a column named ``index`` of a type ``name``, which
fails at apply, so that form is recognised and reported here as well.

Bad::

    CREATE TABLE account (id bigint PRIMARY KEY, email text, INDEX account_email (email));
    -- dialect: mysql
    CREATE TABLE (id bigint PRIMARY KEY);

Good::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE INDEX account_email ON account (email);
    -- dialect: mysql
    CREATE TABLE account (id bigint PRIMARY KEY, email text, INDEX account_email (email));
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_type_name

RULE = LintRuleInfo("syntax-error", "error", ("postgresql", "sqlite", "mysql"))


def check(ctx: LintContext) -> Iterator[LintFinding]:
    yield from ctx.syntax_errors
    if ctx.dialect != "postgresql":
        return
    from pglast import ast

    for stmt in ctx.statements:
        node: Any = stmt.node
        if not isinstance(node, ast.CreateStmt):
            continue
        for element in node.tableElts or ():
            if not isinstance(element, ast.ColumnDef) or str(element.colname).lower() not in ("index", "key"):
                continue
            mods = element.typeName.typmods if element.typeName is not None else None
            if not mods or not any(isinstance(m, ast.ColumnRef) for m in mods):
                continue
            name = pg_type_name(element)
            at = element.location if isinstance(element.location, int) else -1
            offset = at - stmt.offset if at >= stmt.offset else 0
            before = stmt.sql[:offset]
            line = stmt.line + before.count("\n")
            column = offset - (before.rfind("\n") + 1) + (stmt.column if "\n" not in before else 1)
            yield LintFinding(
                RULE.id,
                RULE.severity,
                ctx.path,
                line,
                column,
                f"{str(element.colname).upper()} {name} (...) inside CREATE TABLE is MySQL syntax: PostgreSQL reads "
                f"it as a column named {element.colname} of type {name} and fails when the migration is applied",
                str(node.relation.relname) if node.relation is not None else None,
                f"create it after the table: CREATE INDEX {name} ON "
                f"{node.relation.relname if node.relation is not None else 'table'} (...)",
            )
