"""A foreign key over a column that allows NULL.

A NULL foreign key is never checked, so "every order has a customer" silently is not true. Mark the
column NOT NULL unless the relation is optional by design.

Bad::

    CREATE TABLE customer (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customer (id));
    CREATE INDEX orders_customer_id ON orders (customer_id);
    -- dialect: sqlite
    CREATE TABLE customer (id INTEGER PRIMARY KEY);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer (id));
    CREATE INDEX orders_customer_id ON orders (customer_id);
    -- dialect: mysql
    CREATE TABLE customer (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, FOREIGN KEY (customer_id) REFERENCES customer (id));

Good::

    CREATE TABLE customer (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer (id));
    CREATE INDEX orders_customer_id ON orders (customer_id);
    -- dialect: sqlite
    CREATE TABLE customer (id INTEGER PRIMARY KEY);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer (id));
    CREATE INDEX orders_customer_id ON orders (customer_id);
    -- dialect: mysql
    CREATE TABLE customer (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, FOREIGN KEY (customer_id) REFERENCES customer (id));
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import ident

RULE = RuleInfo("nullable-foreign-key", "info", ("postgresql", "sqlite", "mysql"))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        if table.partition_of:
            continue
        for fk in table.foreign_keys:
            nullable = [n for n in fk.columns if (c := table.column(n)) is not None and c.nullable]
            if not nullable:
                continue
            t = ident(table.name, ctx.dialect)
            fix = (
                "; ".join(
                    f"ALTER TABLE {t} ALTER COLUMN {ident(n, ctx.dialect)} SET NOT NULL" for n in nullable
                )
                + ";"
                if ctx.dialect == "postgresql"
                else None
            )
            yield Finding(
                RULE.id,
                RULE.severity,
                [table.name, fk.name],
                f"foreign key {fk.name} on {table.name} allows NULL in {', '.join(nullable)}",
                fix,
            )
