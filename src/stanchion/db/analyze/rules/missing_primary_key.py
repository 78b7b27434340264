"""A table without a primary key.

Rows cannot be addressed one by one: updates and deletes by key, logical replication, most ORMs and
online schema-change tools need a primary key, and duplicates creep in unnoticed.

Bad::

    CREATE TABLE event (name text, happened_at timestamptz);
    -- dialect: sqlite
    CREATE TABLE event (name TEXT, happened_at TEXT);
    -- dialect: mysql
    CREATE TABLE event (name varchar(100), happened_at datetime);

Good::

    CREATE TABLE event (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text, happened_at timestamptz);
    -- dialect: sqlite
    CREATE TABLE event (id INTEGER PRIMARY KEY, name TEXT, happened_at TEXT);
    -- dialect: mysql
    CREATE TABLE event (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(100), happened_at datetime);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import ident

RULE = RuleInfo("missing-primary-key", "warning", ("postgresql", "sqlite", "mysql"))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        if table.primary_key is not None or table.partition_of or table.partition_key:
            continue
        unique_not_null = [
            u for u in table.uniques if all(not (c := table.column(n)) or not c.nullable for n in u.columns)
        ]
        hint = f" (UNIQUE NOT NULL {unique_not_null[0].columns} could be promoted)" if unique_not_null else ""
        t = ident(table.name, ctx.dialect)
        fix = (
            f"ALTER TABLE {t} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"
            if ctx.dialect == "postgresql"
            else f"ALTER TABLE {t} ADD COLUMN id bigint AUTO_INCREMENT PRIMARY KEY;"
            if ctx.dialect == "mysql"
            else f"-- rebuild {table.name} with an INTEGER PRIMARY KEY column (SQLite cannot add one in place)"
        )
        yield Finding(
            RULE.id, RULE.severity, [table.name], f"table {table.name} has no primary key{hint}", fix
        )
