"""A foreign key whose columns no index leads with.

Deleting or updating a referenced row scans the whole referencing table (under a lock), and joins from the
parent to its children cannot use an index. PostgreSQL and SQLite do not create this index for you
(MySQL's InnoDB does).

Bad::

    CREATE TABLE author (id bigint PRIMARY KEY);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES author (id));
    -- dialect: sqlite
    CREATE TABLE author (id INTEGER PRIMARY KEY);
    CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES author (id));

Good::

    CREATE TABLE author (id bigint PRIMARY KEY);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES author (id));
    CREATE INDEX book_author_id_idx ON book (author_id);
    -- dialect: sqlite
    CREATE TABLE author (id INTEGER PRIMARY KEY);
    CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES author (id));
    CREATE INDEX book_author_id_idx ON book (author_id);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.analyze.rules._helpers import covering_index, fk_index_sql

RULE = RuleInfo("fk-without-index", "warning", ("postgresql", "sqlite", "mysql"))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        if table.partition_of:
            continue
        for fk in table.foreign_keys:
            if covering_index(table, fk.columns) is not None:
                continue
            pk = table.primary_key
            if pk is not None and set(pk.columns[: len(fk.columns)]) == set(fk.columns):
                continue
            cols = ", ".join(fk.columns)
            yield Finding(
                RULE.id,
                RULE.severity,
                [table.name, fk.name],
                f"foreign key {fk.name} on {table.name} ({cols}) -> {fk.ref_table} has no index on ({cols})",
                fk_index_sql(table, fk, ctx.dialect),
            )
