"""A column of type timestamp without time zone.

It stores wall-clock readings with no zone, so the same instant reads differently depending on the
writer's settings, and daylight-saving shifts make values ambiguous. timestamptz stores an instant.

Bad::

    CREATE TABLE event (id bigint PRIMARY KEY, happened_at timestamp);

Good::

    CREATE TABLE event (id bigint PRIMARY KEY, happened_at timestamptz);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import ident

RULE = RuleInfo("timestamp-without-time-zone", "info", ("postgresql",))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        if table.partition_of:
            continue
        for column in table.columns:
            if column.type.startswith("timestamp without time zone"):
                t, c = ident(table.name, ctx.dialect), ident(column.name, ctx.dialect)
                yield Finding(
                    RULE.id,
                    RULE.severity,
                    [f"{table.name}.{column.name}"],
                    f"{table.name}.{column.name} is timestamp without time zone",
                    f"ALTER TABLE {t} ALTER COLUMN {c} TYPE timestamptz;  -- rewrites the table; "
                    "SET timezone to the zone the values were written in first",
                )
