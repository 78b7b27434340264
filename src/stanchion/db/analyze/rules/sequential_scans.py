"""A large table read by sequential scans far more often than through an index.

Each sequential scan reads every row; on a big table that repeats it is usually a missing index.
Run ``stanchion db suggest-indexes`` to find which one.

Bad::

    CREATE TABLE reading (id bigint PRIMARY KEY, sensor integer, value float8);
    INSERT INTO reading SELECT g, g % 100, random() FROM generate_series(1, 20000) g;
    ANALYZE reading;
    DO $$ BEGIN FOR i IN 1..60 LOOP PERFORM count(*) FROM reading WHERE sensor = i; END LOOP; END $$;
    SELECT pg_stat_force_next_flush();

Good::

    CREATE TABLE reading (id bigint PRIMARY KEY, sensor integer, value float8);
    INSERT INTO reading SELECT g, g % 100, random() FROM generate_series(1, 20000) g;
    CREATE INDEX reading_sensor ON reading (sensor);
    ANALYZE reading;
    DO $$ BEGIN FOR i IN 1..60 LOOP PERFORM count(*) FROM reading WHERE sensor = i; END LOOP; END $$;
    SELECT pg_stat_force_next_flush();
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.text import counted

RULE = RuleInfo("sequential-scans", "warning", ("postgresql",))


def check(ctx: Context) -> Iterator[Finding]:
    t = ctx.thresholds
    for table in ctx.schema.tables.values():
        s = table.stats
        if s.seq_scan is None or (s.rows or 0) < t.seq_scan_min_rows or s.seq_scan < t.seq_scan_min_count:
            continue
        idx = s.idx_scan or 0
        if s.seq_scan < t.seq_scan_ratio * max(idx, 1):
            continue
        yield Finding(
            RULE.id,
            RULE.severity,
            [table.name],
            f"{table.name} (~{s.rows} rows) had {s.seq_scan} sequential scans and {counted(idx, 'index scan')}",
            None,
        )
