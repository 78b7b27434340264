"""A serial or bigserial column.

serial is a default plus a separately owned sequence, with surprising permission and copy behaviour.
Identity columns (SQL standard, PostgreSQL 10+) tie the sequence to the column.

Bad::

    CREATE TABLE account (id bigserial PRIMARY KEY);

Good::

    CREATE TABLE account (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_column_defs, pg_type_name

RULE = LintRuleInfo("prefer-identity", "warning")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt, table, column in pg_column_defs(ctx):
        if pg_type_name(column) in ("serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"):
            yield ctx.finding(
                RULE, stmt, f"{table}.{column.colname} is serial; use GENERATED ALWAYS AS IDENTITY", table
            )
