"""Two indexes with the same keys, kind and predicate.

Every write maintains both, they take twice the space and cache, and the planner gains nothing from the
second one.

Bad::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE INDEX account_email_a ON account (email);
    CREATE INDEX account_email_b ON account (email);
    -- dialect: sqlite
    CREATE TABLE account (id INTEGER PRIMARY KEY, email TEXT);
    CREATE INDEX account_email_a ON account (email);
    CREATE INDEX account_email_b ON account (email);
    -- dialect: mysql
    CREATE TABLE account (id bigint PRIMARY KEY, email varchar(200));
    CREATE INDEX account_email_a ON account (email);
    CREATE INDEX account_email_b ON account (email);

Good::

    CREATE TABLE account (id bigint PRIMARY KEY, email text);
    CREATE INDEX account_email_a ON account (email);
    -- dialect: sqlite
    CREATE TABLE account (id INTEGER PRIMARY KEY, email TEXT);
    CREATE INDEX account_email_a ON account (email);
    -- dialect: mysql
    CREATE TABLE account (id bigint PRIMARY KEY, email varchar(200));
    CREATE INDEX account_email_a ON account (email);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import drop_index

RULE = RuleInfo("duplicate-index", "warning", ("postgresql", "sqlite", "mysql"))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        seen: dict[tuple[object, ...], str] = {}
        # keep constraint-backed and unique indexes, report the plain extra one
        ordered = sorted(table.indexes, key=lambda i: (i.constraint is None, not i.unique, i.name))
        for index in ordered:
            key = (tuple(index.columns), tuple(index.include), index.method, index.where)
            if key in seen:
                if index.constraint is not None:
                    continue
                yield Finding(
                    RULE.id,
                    RULE.severity,
                    [table.name, index.name, seen[key]],
                    f"index {index.name} on {table.name} ({', '.join(index.columns)}) duplicates {seen[key]}",
                    drop_index(index, ctx.dialect) + ";",
                )
            else:
                seen[key] = index.name
