"""Statements that are slow on average and run often, from pg_stat_statements.

PgHero's rule: a mean of 20 ms or more over 100 calls or more (``--slow-query-ms``,
``--slow-query-calls``, or ``slow_query_ms`` / ``slow_query_calls`` in ``[tool.stanchion.db.analyze]``).
A statement that runs often and slowly is where an index, a rewrite or a cache pays off; a one-off bulk
statement (a backfill, a report run once) is slow by nature and left out. The slowest in total time come
first. Needs the pg_stat_statements extension (preloaded and created).

Bad::

    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    SET pg_stat_statements.track = 'all';
    DO $$ BEGIN FOR i IN 1..100 LOOP PERFORM pg_sleep(0.02); END LOOP; END $$;

Good::

    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    SELECT pg_sleep(0.05);
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo, Thresholds
from stanchion.db.analyze.rules._statements import Statement, statements

RULE = RuleInfo("slow-queries", "warning", ("postgresql",), ("pg_stat_statements",))


def slow(rows: Iterable[Statement], t: Thresholds) -> list[Statement]:
    """The statements at or over both thresholds, most total time first, at most ``slow_query_limit``."""
    found = [s for s in rows if s.mean_ms >= t.slow_query_mean_ms and s.calls >= t.slow_query_min_calls]
    found.sort(key=lambda s: s.total_ms, reverse=True)
    return found[: t.slow_query_limit]


def check(ctx: Context) -> Iterator[Finding]:
    for s in slow(statements(ctx), ctx.thresholds):
        yield Finding(
            RULE.id,
            RULE.severity,
            [f"queryid:{s.queryid}"],
            f"{s.mean_ms:.1f} ms mean over {s.calls} calls ({s.total_ms:.0f} ms total): {s.short}",
            "-- stanchion db suggest-indexes proposes indexes for this query",
        )
