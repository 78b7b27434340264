"""SQLite catalog reader: five queries over sqlite_master joined with the pragma table functions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stanchion.db.schema.model import (
    Check,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Unique,
    View,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_USER = "m.name NOT LIKE 'sqlite_%'"
MASTER = f"SELECT m.type, m.name, m.tbl_name, m.sql FROM sqlite_master m WHERE {_USER} ORDER BY m.name"
COLUMNS = f"""
SELECT m.name AS tbl, p.cid, p.name, p.type, p."notnull" AS not_null, p.dflt_value, p.pk, p.hidden
FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p
WHERE m.type = 'table' AND {_USER} ORDER BY m.name, p.cid
"""
INDEXES = f"""
SELECT m.name AS tbl, il.name AS idx, il."unique" AS uniq, il.origin, il.partial, ii.seqno, ii.name AS col
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
WHERE m.type = 'table' AND {_USER} ORDER BY m.name, il.name, ii.seqno
"""
FOREIGN_KEYS = f"""
SELECT m.name AS tbl, f.id, f.seq, f."table" AS ref, f."from" AS col, f."to" AS ref_col,
       f.on_update, f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' AND {_USER} ORDER BY m.name, f.id, f.seq
"""
_VIEW_BODY = re.compile(
    r"^\s*CREATE\s+(?:TEMP\w*\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|\S+)\s*"
    r"(?:\([^)]*\)\s*)?AS\s+",
    re.IGNORECASE | re.DOTALL,
)


def introspect(conn: Connection) -> Schema:
    from sqlalchemy import text

    result = Schema(dialect="sqlite", name="main")
    index_sql: dict[str, str | None] = {}
    table_sql: dict[str, str] = {}
    triggers: list[tuple[str, str, str]] = []
    for r in conn.execute(text(MASTER)):
        if r.type == "table":
            result.tables[r.name] = Table(name=r.name)
            table_sql[r.name] = r.sql or ""
        elif r.type == "view":
            body = _VIEW_BODY.sub("", r.sql or "", count=1).strip().rstrip(";").strip()
            result.views[r.name] = View(name=r.name, definition=body, depends_on=_tables_read(body))
        elif r.type == "index":
            index_sql[r.name] = r.sql
        elif r.type == "trigger":
            triggers.append((r.tbl_name, r.name, r.sql or ""))
    for table_name, trigger, sql in triggers:
        if table_name in result.tables:
            result.tables[table_name].triggers[trigger] = sql
    pk_cols: dict[str, list[tuple[int, str]]] = {}
    for r in conn.execute(text(COLUMNS)):
        table = result.tables[r.tbl]
        generated = None
        if r.hidden in (2, 3):
            generated = _generated_expression(table_sql[r.tbl], r.name)
        auto = "auto_increment" if r.pk and re.search(r"\bAUTOINCREMENT\b", table_sql[r.tbl], re.I) else None
        table.columns.append(
            Column(
                name=r.name,
                type=(r.type or "").upper(),
                nullable=not r.not_null and not r.pk,
                default=r.dflt_value,
                identity=auto,
                generated=generated,
            )
        )
        if r.pk:
            pk_cols.setdefault(r.tbl, []).append((int(r.pk), r.name))
    for name, cols in pk_cols.items():
        result.tables[name].primary_key = PrimaryKey(f"{name}_pkey", [c for _, c in sorted(cols)])
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for r in conn.execute(text(INDEXES)):
        entry = grouped.setdefault(
            (r.tbl, r.idx),
            {"unique": bool(r.uniq), "origin": r.origin, "partial": bool(r.partial), "cols": []},
        )
        entry["cols"].append(r.col if r.col is not None else "<expression>")
    for (tbl, idx), entry in grouped.items():
        table = result.tables[tbl]
        if entry["origin"] == "pk":
            continue
        if entry["origin"] == "u":
            table.uniques.append(Unique(idx, entry["cols"]))
            continue
        definition = index_sql.get(idx)
        table.indexes.append(
            Index(
                name=idx,
                table=tbl,
                columns=entry["cols"],
                unique=entry["unique"],
                where=_partial_where(definition) if entry["partial"] else None,
                definition=definition,
            )
        )
    fks: dict[tuple[str, int], ForeignKey] = {}
    for r in conn.execute(text(FOREIGN_KEYS)):
        key = (r.tbl, int(r.id))
        fk = fks.get(key)
        if fk is None:
            fk = ForeignKey(
                name="",
                columns=[],
                ref_table=r.ref,
                ref_columns=[],
                on_delete=r.on_delete,
                on_update=r.on_update,
            )
            fks[key] = fk
            result.tables[r.tbl].foreign_keys.append(fk)
        fk.columns.append(r.col)
        if r.ref_col is not None:
            fk.ref_columns.append(r.ref_col)
    for (tbl, _), fk in fks.items():
        fk.name = f"{tbl}_{'_'.join(fk.columns)}_fkey"
        if not fk.ref_columns and fk.ref_table in result.tables:
            ref_pk = result.tables[fk.ref_table].primary_key
            fk.ref_columns = list(ref_pk.columns) if ref_pk else []
    for name, sql in table_sql.items():
        result.tables[name].checks = _checks(name, sql)
    result.server_version = str(conn.execute(text("SELECT sqlite_version()")).scalar())
    result.catalog_queries = 5
    return result


def _checks(table: str, sql: str) -> list[Check]:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.ParseError:
        return []
    checks: list[Check] = []
    for number, node in enumerate(tree.find_all(exp.CheckColumnConstraint), start=1):
        parent = node.parent
        if isinstance(parent, exp.ColumnConstraint):
            parent = parent.parent
        name = parent.name if isinstance(parent, exp.Constraint) else f"{table}_check{number}"
        checks.append(Check(name, node.this.sql(dialect="sqlite")))
    checks.sort(key=lambda c: c.expression)
    return checks


def _generated_expression(sql: str, column: str) -> str | None:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.ParseError:
        return None
    for coldef in tree.find_all(exp.ColumnDef):
        if coldef.name == column:
            gen = coldef.find(exp.ComputedColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)
            if gen is not None and gen.this is not None:
                return str(gen.this.sql(dialect="sqlite"))
    return None


def _partial_where(definition: str | None) -> str | None:
    if not definition:
        return None
    match = re.search(r"\bWHERE\b(.*)$", definition, re.IGNORECASE | re.DOTALL)
    return match.group(1).strip() if match else None


def _tables_read(body: str) -> list[str]:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(body, read="sqlite")
    except sqlglot.errors.ParseError:
        return []
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return sorted({t.name for t in tree.find_all(exp.Table) if t.name not in ctes})
