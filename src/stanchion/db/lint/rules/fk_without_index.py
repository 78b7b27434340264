"""A new foreign key whose columns no index covers (in this migration or, with a database URL, live).

Deletes and key updates on the referenced table then scan the referencing table under a lock, and joins
cannot use an index. Create the index (CONCURRENTLY) alongside the foreign key.

Bad::

    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint REFERENCES author (id));
    -- dialect: sqlite
    CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES author (id));

Good::

    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint REFERENCES author (id));
    CREATE INDEX book_author_id_idx ON book (author_id);
    -- dialect: sqlite
    CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES author (id));
    CREATE INDEX book_author_id_idx ON book (author_id);
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, Stmt, pg_alter_cmds, pg_string_list

RULE = LintRuleInfo("fk-without-index", "warning", ("postgresql", "sqlite"))


def check(ctx: LintContext) -> Iterator[LintFinding]:
    new_fks = list(_pg_fks(ctx)) if ctx.dialect == "postgresql" else list(_glot_fks(ctx))
    for stmt, table, columns in new_fks:
        if columns and not ctx.has_index(table, columns):
            yield ctx.finding(
                RULE,
                stmt,
                f"foreign key on {table} ({', '.join(columns)}) has no index on those columns",
                table,
            )


def _pg_fks(ctx: LintContext) -> Iterator[tuple[Stmt, str, list[str]]]:
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType

    for stmt in ctx.statements:
        node: Any = stmt.node
        if isinstance(node, ast.CreateStmt) and node.relation is not None:
            table = str(node.relation.relname)
            for element in node.tableElts or ():
                if isinstance(element, ast.ColumnDef):
                    for column_con in element.constraints or ():
                        if column_con.contype == ConstrType.CONSTR_FOREIGN:
                            yield stmt, table, [str(element.colname)]
                elif isinstance(element, ast.Constraint) and element.contype == ConstrType.CONSTR_FOREIGN:
                    yield stmt, table, pg_string_list(element.fk_attrs)
    for stmt, table, cmd in pg_alter_cmds(ctx):
        definition: Any = cmd.def_
        if cmd.subtype == AlterTableType.AT_AddConstraint and isinstance(definition, ast.Constraint):
            if definition.contype == ConstrType.CONSTR_FOREIGN:
                yield stmt, table, pg_string_list(definition.fk_attrs)
        elif (
            cmd.subtype == AlterTableType.AT_AddColumn
            and isinstance(definition, ast.ColumnDef)
            and any(c.contype == ConstrType.CONSTR_FOREIGN for c in definition.constraints or ())
        ):
            yield stmt, table, [str(definition.colname)]


def _glot_fks(ctx: LintContext) -> Iterator[tuple[Stmt, str, list[str]]]:
    from sqlglot import exp

    for stmt in ctx.statements:
        node = stmt.node
        if not isinstance(node, exp.Create | exp.Alter):
            continue
        table = node.find(exp.Table)
        if table is None:
            continue
        for fk in node.find_all(exp.ForeignKey):
            yield stmt, table.name, [e.name for e in fk.expressions]
        for ref in node.find_all(exp.Reference):
            coldef = ref.find_ancestor(exp.ColumnDef)
            if coldef is not None and ref.find_ancestor(exp.ForeignKey) is None:
                yield stmt, table.name, [coldef.name]
