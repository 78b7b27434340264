"""An index whose keys are a left prefix of another index's keys.

An index on (a) is redundant next to one on (a, b): the wider index serves every lookup on a. The narrower
one only costs writes and space (unless it is unique, which enforces something the wider one does not).

Bad::

    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);
    CREATE INDEX orders_customer ON orders (customer_id);
    CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
    -- dialect: sqlite
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT);
    CREATE INDEX orders_customer ON orders (customer_id);
    CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
    -- dialect: mysql
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at datetime);
    CREATE INDEX orders_customer ON orders (customer_id);
    CREATE INDEX orders_customer_created ON orders (customer_id, created_at);

Good::

    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);
    CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
    -- dialect: sqlite
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, created_at TEXT);
    CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
    -- dialect: mysql
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at datetime);
    CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import drop_index

RULE = RuleInfo("redundant-index", "warning", ("postgresql", "sqlite", "mysql"))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        for index in table.indexes:
            if index.unique or index.constraint is not None or index.where is not None:
                continue
            for wider in table.indexes:
                if (
                    wider is not index
                    and wider.method == index.method
                    and wider.where is None
                    and len(wider.columns) > len(index.columns)
                    and wider.columns[: len(index.columns)] == index.columns
                ):
                    yield Finding(
                        RULE.id,
                        RULE.severity,
                        [table.name, index.name, wider.name],
                        f"index {index.name} ({', '.join(index.columns)}) is a left prefix of {wider.name} "
                        f"({', '.join(wider.columns)})",
                        drop_index(index, ctx.dialect) + ";",
                    )
                    break
