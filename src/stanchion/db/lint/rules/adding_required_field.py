"""Adding a NOT NULL column without a default to an existing table.

PostgreSQL and MySQL reject it as soon as the table has a row (SQLite always does), so the migration
that passed on an empty development database fails in production. Give it a default, or add it nullable,
backfill, and then constrain it. A generated or identity column fills itself and is never flagged here
(a stored generated column is ``adding-stored-generated-column``'s).

Bad::

    ALTER TABLE account ADD COLUMN plan text NOT NULL;
    -- dialect: sqlite
    ALTER TABLE account ADD COLUMN plan TEXT NOT NULL;
    -- dialect: mysql
    ALTER TABLE account ADD COLUMN plan varchar(20) NOT NULL;

Good::

    ALTER TABLE account ADD COLUMN plan text NOT NULL DEFAULT 'free';
    ALTER TABLE account ADD COLUMN seq bigint NOT NULL GENERATED ALWAYS AS IDENTITY;
    ALTER TABLE account ADD COLUMN name_length int NOT NULL GENERATED ALWAYS AS (length(name)) STORED;
    -- dialect: sqlite
    ALTER TABLE account ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';
    -- dialect: mysql
    ALTER TABLE account ADD COLUMN plan varchar(20) NOT NULL DEFAULT 'free';
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import (
    SERIAL_TYPES,
    LintContext,
    LintFinding,
    LintRuleInfo,
    glot_alter_actions,
    pg_alter_cmds,
    pg_type_name,
)

RULE = LintRuleInfo("adding-required-field", "error", ("postgresql", "sqlite", "mysql"), size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast import ast
        from pglast.enums import AlterTableType, ConstrType

        for stmt, table, cmd in pg_alter_cmds(ctx):
            column = cmd.def_
            if cmd.subtype != AlterTableType.AT_AddColumn or not isinstance(column, ast.ColumnDef):
                continue
            kinds = {c.contype for c in column.constraints or ()}
            fills_itself = {
                ConstrType.CONSTR_DEFAULT,
                ConstrType.CONSTR_IDENTITY,
                ConstrType.CONSTR_GENERATED,
            }
            if kinds & fills_itself or pg_type_name(column) in SERIAL_TYPES:
                continue
            required = ConstrType.CONSTR_NOTNULL in kinds or ConstrType.CONSTR_PRIMARY in kinds
            if required and not ctx.is_new(table, stmt):
                yield ctx.finding(
                    RULE,
                    stmt,
                    f"NOT NULL column {column.colname} without a default fails on a non-empty {table}",
                    table,
                )
        return
    from sqlglot import exp

    for stmt, table, action in glot_alter_actions(ctx):
        if not isinstance(action, exp.ColumnDef):
            continue
        kinds = {type(c.args.get("kind")) for c in action.args.get("constraints") or []}
        required = exp.NotNullColumnConstraint in kinds and exp.DefaultColumnConstraint not in kinds
        if required and not ctx.is_new(table, stmt):
            yield ctx.finding(
                RULE, stmt, f"NOT NULL column {action.name} without a default fails on {table}", table
            )
