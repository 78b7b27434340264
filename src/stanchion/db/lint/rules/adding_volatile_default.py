"""A new column on an existing table with a volatile default (random(), gen_random_uuid(),
clock_timestamp(), a serial type).

A constant default is stored once in the catalog, but a volatile one must be computed per row, so
PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock. Add the column without the default,
set the default, and backfill in batches.

Bad::

    ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();

Good::

    ALTER TABLE orders ADD COLUMN token uuid;
    ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_alter_cmds, pg_type_name

RULE = LintRuleInfo("adding-volatile-default", "error", size_sensitive=True)

VOLATILE = {
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "random_normal",
    "txid_current",
}


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        if cmd.subtype != AlterTableType.AT_AddColumn or ctx.is_new(table):
            continue
        column = cmd.def_
        volatile = pg_type_name(column) in ("serial", "bigserial", "smallserial", "serial4", "serial8")
        for con in column.constraints or ():
            if con.contype == ConstrType.CONSTR_DEFAULT and con.raw_expr is not None:
                for node in _walk(con.raw_expr):
                    if (
                        isinstance(node, ast.FuncCall)
                        and str((node.funcname or ())[-1].sval).lower() in VOLATILE
                    ):
                        volatile = True
        if volatile:
            yield ctx.finding(
                RULE,
                stmt,
                f"column {column.colname} on {table} has a volatile default: the table is rewritten under lock",
                table,
            )


def _walk(node: object) -> Iterator[object]:
    from pglast import ast

    yield node
    if isinstance(node, ast.Node):
        for name in node:
            value = getattr(node, name)
            if isinstance(value, tuple):
                for item in value:
                    yield from _walk(item)
            elif isinstance(value, ast.Node):
                yield from _walk(value)
