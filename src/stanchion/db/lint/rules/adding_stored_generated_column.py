"""ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table.

A stored generated column is computed and written for every existing row: PostgreSQL rewrites the whole
table, and its indexes, under an ACCESS EXCLUSIVE lock. Add a plain column, fill it with a trigger for new
rows and a batched backfill for old ones, or compute the value in a view or at query time.

Bad::

    ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * quantity) STORED;

Good::

    CREATE TABLE line (price numeric, quantity int, total numeric GENERATED ALWAYS AS (price * quantity) STORED);
    ALTER TABLE orders ADD COLUMN total numeric;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_column_defs

RULE = LintRuleInfo("adding-stored-generated-column", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import ConstrType

    for stmt, table, column in pg_column_defs(ctx):
        if not isinstance(stmt.node, ast.AlterTableStmt) or ctx.is_new(table, stmt):
            continue
        if any(c.contype == ConstrType.CONSTR_GENERATED for c in column.constraints or ()):
            yield ctx.finding(
                RULE,
                stmt,
                f"stored generated column {table}.{column.colname} rewrites the table under lock",
                table,
            )
