"""The statements that take the most total time, from pg_stat_statements.

Total time (mean times calls) is where the database spends its effort; the top entries are where an index,
a rewrite or a cache pays off most. Needs the pg_stat_statements extension (preloaded and created).

Bad::

    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    SELECT pg_sleep(0.15);

Good::

    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    SELECT 1;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.analyze.rules._statements import statements

RULE = RuleInfo("slow-queries", "warning", ("postgresql",), ("pg_stat_statements",))


def check(ctx: Context) -> Iterator[Finding]:
    t = ctx.thresholds
    slow = [s for s in statements(ctx) if s.mean_ms >= t.slow_query_mean_ms][: t.slow_query_limit]
    for s in slow:
        yield Finding(
            RULE.id,
            RULE.severity,
            [f"queryid:{s.queryid}"],
            f"{s.total_ms:.0f} ms total over {s.calls} calls ({s.mean_ms:.1f} ms mean): {s.short}",
            "-- stanchion db suggest-indexes proposes indexes for this query",
        )
