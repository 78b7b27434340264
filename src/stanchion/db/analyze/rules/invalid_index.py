"""An index marked invalid, left behind by a failed CREATE INDEX CONCURRENTLY or REINDEX.

The planner never uses it, yet every write still maintains it; a unique one may still reject rows.

Bad::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE UNIQUE INDEX account_email ON account (email);
    -- what a failed CREATE INDEX CONCURRENTLY leaves behind:
    UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'account_email'::regclass;

Good::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE UNIQUE INDEX account_email ON account (email);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import ident

RULE = RuleInfo("invalid-index", "error", ("postgresql",))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        for index in table.indexes:
            if not index.valid:
                yield Finding(
                    RULE.id,
                    RULE.severity,
                    [table.name, index.name],
                    f"index {index.name} on {table.name} is invalid (a failed concurrent build)",
                    f"REINDEX INDEX CONCURRENTLY {ident(index.name, ctx.dialect)};",
                )
