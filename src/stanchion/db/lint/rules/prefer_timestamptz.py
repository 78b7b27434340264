"""A timestamp column without time zone.

It stores wall-clock readings, ambiguous across zones and daylight-saving changes; timestamptz stores an
instant and converts on display.

Bad::

    CREATE TABLE event (id bigint PRIMARY KEY, happened_at timestamp);

Good::

    CREATE TABLE event (id bigint PRIMARY KEY, happened_at timestamptz);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_column_defs, pg_type_name

RULE = LintRuleInfo("prefer-timestamptz", "warning")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt, table, column in pg_column_defs(ctx):
        if pg_type_name(column) == "timestamp":
            yield ctx.finding(RULE, stmt, f"{table}.{column.colname} is timestamp without time zone", table)
