"""An index the planner has not used in a statistics window long enough to tell.

It is paid for on every insert, update and delete and takes space and cache, for no reads. "No scans" only
means "unused" once the statistics have watched it for a while: the window is the time since the
statistics were reset (``pg_stat_database.stats_reset``, or the server's start when they never were) or
since the index was created, whichever is shorter. Under ``unused_index_min_age_days`` (7) the finding is
"stats too young", with the age, and advises nothing. An index that backs a primary key, a unique
constraint or a foreign key is never reported: it enforces or serves something scans do not show.

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
from stanchion.db.analyze.rules._helpers import backed_foreign_key, index_created
from stanchion.db.schema.ddl import ident

RULE = RuleInfo("unused-index", "warning", ("postgresql",))


def check(ctx: Context) -> Iterator[Finding]:
    stats_age = ctx.stats_age_days()
    minimum = ctx.thresholds.unused_index_min_age_days
    created = None
    for table in ctx.schema.tables.values():
        for index in table.indexes:
            if index.scans != 0 or index.constraint is not None or index.unique or not index.valid:
                continue
            if backed_foreign_key(table, index) is not None:
                continue
            if created is None:
                created = index_created(ctx)
            born = created.get(index.name)
            index_age = max((ctx.now - born).total_seconds() / 86400.0, 0.0) if born is not None else None
            size = f", {index.size_bytes // 1024} kB" if index.size_bytes else ""
            objects = [table.name, index.name]
            window: float | None
            if index_age is not None and (stats_age is None or index_age < stats_age):
                window, what = index_age, f"index created {index_age:.1f} days ago"
            else:
                window = stats_age
                what = (
                    "statistics age unknown" if stats_age is None else f"statistics {stats_age:.1f} days old"
                )
            if window is None or window < minimum:
                yield Finding(
                    RULE.id,
                    "info",
                    objects,
                    f"index {index.name} on {table.name} has had no scans, but stats too young to call it "
                    f"unused ({what}, under {minimum:g} days{size}); look again later",
                    None,
                )
                continue
            yield Finding(
                RULE.id,
                RULE.severity,
                objects,
                f"index {index.name} on {table.name} has had no scans in {window:.1f} days ({what}{size})",
                f"DROP INDEX CONCURRENTLY {ident(index.name, ctx.dialect)};",
            )
