"""A varchar(n) column, created, added or changed to.

In PostgreSQL varchar(n) is text with a length check that can only be raised by an ALTER TYPE, which
takes an exclusive lock. Use text, with a CHECK constraint if the limit matters.

Bad::

    CREATE TABLE account (id bigint PRIMARY KEY, email varchar(255));
    ALTER TABLE member ALTER COLUMN handle TYPE varchar(40);

Good::

    CREATE TABLE account (id bigint PRIMARY KEY, email text CHECK (length(email) <= 255));
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_declared_types, pg_type_name

RULE = LintRuleInfo("prefer-text-field", "warning")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt, table, name, column in pg_declared_types(ctx):
        if pg_type_name(column) in ("varchar", "bpchar") and column.typeName.typmods:
            yield ctx.finding(RULE, stmt, f"{table}.{name} is varchar(n); prefer text", table)
