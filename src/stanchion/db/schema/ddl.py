"""Render the schema model as SQL, per dialect: identifiers, column definitions, tables, indexes, views."""

from __future__ import annotations

import re
from functools import cache

from stanchion.db.schema.model import Column, ForeignKey, Index, PrimaryKey, Sequence, Table, Unique, View

_SIMPLE = re.compile(r"^[a-z_][a-z0-9_]*$")
_LITERAL = re.compile(
    r"^(NULL|TRUE|FALSE|CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME|-?\d+(\.\d+)?|'([^']|'')*')$", re.I
)


@cache
def _reserved() -> frozenset[str]:
    from pglast import keywords

    words = set(keywords.RESERVED_KEYWORDS) | set(keywords.TYPE_FUNC_NAME_KEYWORDS)
    words |= set(keywords.COL_NAME_KEYWORDS)
    return frozenset(w.lower() for w in words) | {"key", "index", "order", "group", "range", "values"}


def ident(name: str, dialect: str) -> str:
    """Quote ``name`` when it needs it (always for names that are not plain lower-case words)."""
    if _SIMPLE.match(name) and name not in _reserved():
        return name
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def qualified(name: str, dialect: str, schema: str | None = None) -> str:
    """``schema.name`` (each part quoted as needed), or just ``name`` without a schema."""
    return f"{ident(schema, dialect)}.{ident(name, dialect)}" if schema else ident(name, dialect)


def idents(names: list[str], dialect: str) -> str:
    return ", ".join(ident(n, dialect) for n in names)


def sqlite_default(value: str) -> str:
    return value if _LITERAL.match(value.strip()) else f"({value})"


def column_sql(column: Column, dialect: str, *, inline_pk: bool = False) -> str:
    parts = [ident(column.name, dialect), column.type]
    if dialect == "postgresql":
        if column.identity:
            parts.append(f"GENERATED {column.identity.upper()} AS IDENTITY")
        if column.generated:
            parts.append(f"GENERATED ALWAYS AS ({column.generated}) STORED")
        if column.default is not None:
            parts.append(f"DEFAULT {column.default}")
        if not column.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)
    if dialect == "sqlite":
        if inline_pk:
            parts.append("PRIMARY KEY" + (" AUTOINCREMENT" if column.identity else ""))
        if column.generated:
            parts.append(f"GENERATED ALWAYS AS ({column.generated}) STORED")
        if not column.nullable and not inline_pk:
            parts.append("NOT NULL")
        if column.default is not None:
            parts.append(f"DEFAULT {sqlite_default(column.default)}")
        return " ".join(parts)
    if column.generated:
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) STORED")
    parts.append("NULL" if column.nullable else "NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.identity:
        parts.append("AUTO_INCREMENT")
    return " ".join(parts)


def fk_clause(fk: ForeignKey, dialect: str, schema: str | None = None) -> str:
    sql = (
        f"FOREIGN KEY ({idents(fk.columns, dialect)}) REFERENCES {qualified(fk.ref_table, dialect, schema)} "
        f"({idents(fk.ref_columns, dialect)})"
    )
    if fk.on_delete and fk.on_delete != "NO ACTION":
        sql += f" ON DELETE {fk.on_delete}"
    if fk.on_update and fk.on_update != "NO ACTION":
        sql += f" ON UPDATE {fk.on_update}"
    if fk.deferrable:
        sql += f" {fk.deferrable}"
    return sql


def key_clause(key: PrimaryKey | Unique, dialect: str) -> str:
    """``PRIMARY KEY (...)`` or ``UNIQUE (...)``, with its DEFERRABLE clause."""
    word = "PRIMARY KEY" if isinstance(key, PrimaryKey) else "UNIQUE"
    sql = f"{word} ({idents(key.columns, dialect)})"
    return sql + f" {key.deferrable}" if key.deferrable else sql


def _constraint(name: str, body: str, dialect: str) -> str:
    return body if dialect == "sqlite" else f"CONSTRAINT {ident(name, dialect)} {body}"


def create_table(
    table: Table, dialect: str, *, name: str | None = None, with_fks: bool = False, schema: str | None = None
) -> str:
    """CREATE TABLE with columns, primary key, unique and check constraints (and, for SQLite, which cannot
    add them later, foreign keys); every table name in ``schema`` when one is given."""
    target = qualified(name or table.name, dialect, schema)
    if dialect == "postgresql" and table.partition_of:
        parent = qualified(table.partition_of, dialect, schema)
        by = f" PARTITION BY {table.partition_key}" if table.partition_key else ""
        return f"CREATE TABLE {target} PARTITION OF {parent} {table.partition_bound}{by}"
    pk = table.primary_key
    inline_pk = (
        dialect == "sqlite"
        and pk is not None
        and len(pk.columns) == 1
        and (table.column(pk.columns[0]) or Column("", "")).type.upper() == "INTEGER"
    )
    lines = [
        column_sql(c, dialect, inline_pk=inline_pk and pk is not None and c.name == pk.columns[0])
        for c in table.columns
        if c.local  # inherited columns come with INHERITS
    ]
    if pk is not None and not inline_pk:
        lines.append(_constraint(pk.name, key_clause(pk, dialect), dialect))
    for unique in table.uniques:
        if dialect == "mysql":
            continue  # unique indexes are rendered with the indexes
        lines.append(_constraint(unique.name, key_clause(unique, dialect), dialect))
    for exclusion in table.exclusions:
        lines.append(_constraint(exclusion.name, exclusion.definition, dialect))
    for check in table.checks:
        lines.append(_constraint(check.name, f"CHECK ({_strip_parens(check.expression)})", dialect))
    if with_fks or dialect == "sqlite":
        for fk in table.foreign_keys:
            lines.append(_constraint(fk.name, fk_clause(fk, dialect, schema), dialect))
    body = ",\n    ".join(lines)
    suffix = ""
    if dialect == "postgresql" and table.inherits:
        suffix += f" INHERITS ({', '.join(qualified(p, dialect, schema) for p in table.inherits)})"
    if dialect == "postgresql" and table.partition_key:
        suffix += f" PARTITION BY {table.partition_key}"
    return f"CREATE TABLE {target} (\n    {body}\n){suffix}"


def _strip_parens(expression: str) -> str:
    """``(a > 0)`` -> ``a > 0`` when the outer parentheses enclose the whole expression."""
    text = expression.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for position, char in enumerate(text):
            depth += char == "("
            depth -= char == ")"
            if depth == 0 and position < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def create_index(index: Index, dialect: str, *, concurrently: bool = False, schema: str | None = None) -> str:
    if dialect == "postgresql" and index.definition:
        sql = index.definition
        if concurrently:
            sql = re.sub(r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX CONCURRENTLY ", sql)
        return sql
    if dialect == "sqlite" and index.definition:
        return index.definition
    unique = "UNIQUE " if index.unique else ""
    cols = ", ".join(c if "(" in c or " " in c else ident(c, dialect) for c in index.columns)
    table = qualified(index.table, dialect, schema)
    sql = f"CREATE {unique}INDEX {ident(index.name, dialect)} ON {table} ({cols})"
    if index.where:
        sql += f" WHERE {index.where}"
    return sql


def drop_index(index: Index, dialect: str, schema: str | None = None) -> str:
    if dialect == "mysql":
        return f"DROP INDEX {ident(index.name, dialect)} ON {ident(index.table, dialect)}"
    return f"DROP INDEX {qualified(index.name, dialect, schema)}"


def create_view(view: View, dialect: str, schema: str | None = None) -> str:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"CREATE {kind} {qualified(view.name, dialect, schema)} AS\n{view.definition.rstrip().rstrip(';')}"


def drop_view(view: View, dialect: str, schema: str | None = None) -> str:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"DROP {kind} {qualified(view.name, dialect, schema)}"


def create_sequence(seq: Sequence, dialect: str, schema: str | None = None) -> str:
    sql = f"CREATE SEQUENCE {qualified(seq.name, dialect, schema)} AS {seq.type}"
    sql += f" INCREMENT BY {seq.increment}"
    if seq.min_value is not None:
        sql += f" MINVALUE {seq.min_value}"
    if seq.max_value is not None:
        sql += f" MAXVALUE {seq.max_value}"
    return sql + f" START WITH {seq.start}"
