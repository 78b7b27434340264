"""A timestamp column without time zone, created, added or changed to.

It stores wall-clock readings, ambiguous across zones and daylight-saving changes; timestamptz stores an
instant and converts on display.

Bad::

    CREATE TABLE event (id bigint PRIMARY KEY, happened_at timestamp);
    ALTER TABLE visit ALTER COLUMN seen_at TYPE timestamp;

Good::

    CREATE TABLE event (id bigint PRIMARY KEY, happened_at timestamptz);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_declared_types, pg_type_name

RULE = LintRuleInfo("prefer-timestamptz", "warning")


def check(ctx: LintContext) -> Iterator[LintFinding]:
    for stmt, table, name, column in pg_declared_types(ctx):
        if pg_type_name(column) == "timestamp":
            yield ctx.finding(RULE, stmt, f"{table}.{name} is timestamp without time zone", table)
