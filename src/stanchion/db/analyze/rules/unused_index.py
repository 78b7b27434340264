"""An index the planner has not used since the statistics were last reset.

It is paid for on every insert, update and delete and takes space and cache, for no reads. The finding
says how old the statistics are: on a young database (or a replica that serves the reads) "unused" may
only mean "not yet", so it is informational until the stats are a week old.

Bad::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE INDEX account_email ON account (email);

Good::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE INDEX account_email ON account (email);
    SET enable_seqscan = off;
    SELECT id FROM account WHERE email = 'a@example.com';
    SELECT pg_stat_force_next_flush();
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import ident

RULE = RuleInfo("unused-index", "warning", ("postgresql",))


def check(ctx: Context) -> Iterator[Finding]:
    age = ctx.stats_age_days()
    young = age is None or age < ctx.thresholds.unused_index_min_age_days
    age_text = "unknown" if age is None else f"{age:.1f} days"
    for table in ctx.schema.tables.values():
        for index in table.indexes:
            if index.scans != 0 or index.constraint is not None or index.unique or not index.valid:
                continue
            size = f", {index.size_bytes // 1024} kB" if index.size_bytes else ""
            yield Finding(
                RULE.id,
                "info" if young else RULE.severity,
                [table.name, index.name],
                f"index {index.name} on {table.name} has had no scans (stats age {age_text}{size})",
                f"DROP INDEX CONCURRENTLY {ident(index.name, ctx.dialect)};",
            )
