"""A varchar(n) column.

In PostgreSQL varchar(n) is text with a length check that can only be raised by an ALTER TYPE, which
takes an exclusive lock. Use text, with a CHECK constraint if the limit matters.

Bad::

    CREATE TABLE account (id bigint PRIMARY KEY, email varchar(255));

Good::

    CREATE TABLE account (id bigint PRIMARY KEY, email text CHECK (length(email) <= 255));
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_column_defs, pg_type_name

RULE = LintRuleInfo("prefer-text-field", "warning")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt, table, column in pg_column_defs(ctx):
        if pg_type_name(column) in ("varchar", "bpchar") and column.typeName.typmods:
            yield ctx.finding(RULE, stmt, f"{table}.{column.colname} is varchar(n); prefer text", table)
