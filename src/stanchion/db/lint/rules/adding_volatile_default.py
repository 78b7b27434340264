"""A new column on an existing table whose default is volatile: a function such as random(),
gen_random_uuid(), clock_timestamp() or nextval(), or a user-defined function declared VOLATILE.

Since PostgreSQL 11 a non-volatile default is stored once in the catalog, but a volatile one must be
computed per row, so PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock (before 11, any
default did). Add the column without the default, set the default, and backfill in batches. Volatility
comes from the live database's ``pg_proc.provolatile`` with ``--database-url``, from a CREATE FUNCTION
earlier in the same migration, or from PostgreSQL's own built-in functions; a function none of these
knows (a user-defined one, without a database URL) is assumed volatile, as PostgreSQL assumes for a
function declared without a volatility, and the finding says so.

Bad::

    ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();
    CREATE FUNCTION next_ticket() RETURNS bigint LANGUAGE sql AS 'SELECT 1';
    ALTER TABLE orders ADD COLUMN ticket bigint DEFAULT next_ticket();

Good::

    ALTER TABLE orders ADD COLUMN token uuid;
    ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();
    ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();
    CREATE FUNCTION default_region() RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''eu''';
    ALTER TABLE orders ADD COLUMN region text DEFAULT default_region();
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, Stmt, pg_alter_cmds, pg_walk

RULE = LintRuleInfo("adding-volatile-default", "error", size_sensitive=True)

EXTENSION_VOLATILE = frozenset(
    {
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "gen_random_bytes",
        "gen_salt",
        "random_normal",
        "uuidv4",
        "uuidv7",
    }
)
"""Volatile functions of common extensions (uuid-ossp, pgcrypto) and newer releases, known offline too."""


@cache
def builtin_volatility() -> dict[str, str]:
    """PostgreSQL's built-in functions: name -> "v" (some overload volatile) or "s" (none is)."""
    text = resources.files("stanchion.db.lint").joinpath("pg_functions.txt").read_text(encoding="utf-8")
    pairs = (line.split() for line in text.splitlines() if line and not line.startswith("#"))
    return {name: kind for name, kind in pairs}


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        if cmd.subtype != AlterTableType.AT_AddColumn or ctx.is_new(table, stmt):
            continue
        column = cmd.def_
        for con in column.constraints or ():
            if con.contype != ConstrType.CONSTR_DEFAULT or con.raw_expr is None:
                continue
            if isinstance(con.raw_expr, ast.A_Const) and con.raw_expr.isnull:
                continue
            if ctx.pg_major < 11:
                yield ctx.finding(
                    RULE,
                    stmt,
                    f"column {column.colname} on {table} has a default: before PostgreSQL 11 "
                    f"(the server runs {ctx.pg_major}) the table is rewritten under lock",
                    table,
                )
                continue
            for node in pg_walk(con.raw_expr):
                if not isinstance(node, ast.FuncCall):
                    continue
                name = str((node.funcname or ())[-1].sval).lower()
                volatile, source = _volatility(ctx, stmt, name)
                if volatile:
                    yield ctx.finding(
                        RULE,
                        stmt,
                        f"column {column.colname} on {table} has a volatile default ({name}()): "
                        "the table is rewritten under lock",
                        table,
                        source,
                    )
                    break


def _volatility(ctx: LintContext, stmt: Stmt, name: str) -> tuple[bool, str | None]:
    """(volatile?, a note on where that came from when it is an assumption)."""
    declared = _declared_earlier(ctx, stmt, name)
    if declared is not None:
        return declared == "volatile", None
    if ctx.live_facts is not None and name in ctx.live_facts.volatility:
        return ctx.live_facts.volatility[name] == "v", None
    if name in EXTENSION_VOLATILE:
        return True, None
    known = builtin_volatility().get(name)
    if known is not None:
        return known == "v", None
    if ctx.live_facts is not None:
        return True, f"{name}() is not in the live database's pg_proc; assumed volatile"
    return True, (
        f"{name}() is not a built-in function; assumed volatile (pass --database-url to read its "
        "volatility from pg_proc, or suppress with the reason)"
    )


def _declared_earlier(ctx: LintContext, stmt: Stmt, name: str) -> str | None:
    """The volatility of a CREATE FUNCTION ``name`` earlier in this migration (VOLATILE when unsaid)."""
    from pglast import ast

    found = None
    for earlier in ctx.statements[: stmt.index]:
        node: Any = earlier.node
        if (
            isinstance(node, ast.CreateFunctionStmt)
            and node.funcname
            and str(node.funcname[-1].sval).lower() == name
        ):
            found = "volatile"
            for option in node.options or ():
                if option.defname == "volatility" and isinstance(option.arg, ast.String):
                    found = str(option.arg.sval).lower()
    return found
