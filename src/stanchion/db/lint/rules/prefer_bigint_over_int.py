"""An integer or smallint column, created, added or changed to.

Keys and counters outgrow 32 bits (2.1 billion) sooner than expected, and widening later rewrites the
table. bigint costs four bytes more per row.

Bad::

    CREATE TABLE hit (id integer PRIMARY KEY, count int);

Good::

    CREATE TABLE hit (id bigint PRIMARY KEY, count bigint);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_declared_types, pg_type_name

RULE = LintRuleInfo("prefer-bigint-over-int", "warning")

SMALL = {"int4", "int2", "int", "integer", "smallint", "serial", "serial4", "smallserial", "serial2"}


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt, table, name, column in pg_declared_types(ctx):
        if pg_type_name(column) in SMALL:
            yield ctx.finding(RULE, stmt, f"{table}.{name} is a 32-bit or smaller integer; use bigint", table)
