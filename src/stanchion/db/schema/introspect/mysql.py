"""MySQL / MariaDB catalog reader: six information_schema queries for the current database."""

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
    Sequence,
    Table,
    TableStats,
    Unique,
    View,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TABLES = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH AS SIZE, AUTO_INCREMENT
FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
"""
COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
INDEXES = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, INDEX_TYPE, SUB_PART
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""
FOREIGN_KEYS = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
       r.DELETE_RULE, r.UPDATE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
 AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""
CHECKS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
"""
VIEWS = """
SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME
"""

_INT_MAX = {"tinyint": 127, "smallint": 32767, "mediumint": 8388607, "int": 2147483647, "bigint": 2**63 - 1}


def _max_for(column_type: str) -> int | None:
    match = re.match(r"(\w+)", column_type)
    if not match or match.group(1) not in _INT_MAX:
        return None
    top = _INT_MAX[match.group(1)]
    return top * 2 + 1 if "unsigned" in column_type else top


def introspect(conn: Connection) -> Schema:
    from sqlalchemy import text

    def rows(sql: str) -> list[Any]:
        return list(conn.execute(text(sql)))

    result = Schema(dialect="mysql", name=str(conn.execute(text("SELECT DATABASE()")).scalar()))
    auto_increment: dict[str, int] = {}
    for r in rows(TABLES):
        if r.TABLE_TYPE == "VIEW":
            continue
        result.tables[r.TABLE_NAME] = Table(
            name=r.TABLE_NAME, stats=TableStats(rows=r.TABLE_ROWS, size_bytes=r.SIZE)
        )
        if r.AUTO_INCREMENT is not None:
            auto_increment[r.TABLE_NAME] = int(r.AUTO_INCREMENT)
    for r in rows(COLUMNS):
        table = result.tables.get(r.TABLE_NAME)
        if table is None:
            continue
        extra = (r.EXTRA or "").lower()
        generated = r.GENERATION_EXPRESSION or None
        identity = "auto_increment" if "auto_increment" in extra else None
        table.columns.append(
            Column(
                name=r.COLUMN_NAME,
                type=r.COLUMN_TYPE,
                nullable=r.IS_NULLABLE == "YES",
                default=None if generated or r.COLUMN_DEFAULT == "NULL" else r.COLUMN_DEFAULT,
                identity=identity,
                generated=generated,
            )
        )
        if identity and r.TABLE_NAME in auto_increment:
            result.sequences[f"{r.TABLE_NAME}.{r.COLUMN_NAME}"] = Sequence(
                name=f"{r.TABLE_NAME}.{r.COLUMN_NAME}",
                type=r.COLUMN_TYPE,
                max_value=_max_for(r.COLUMN_TYPE),
                last_value=auto_increment[r.TABLE_NAME] - 1,
                owned_by=f"{r.TABLE_NAME}.{r.COLUMN_NAME}",
                identity=True,
            )
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows(INDEXES):
        entry = grouped.setdefault(
            (r.TABLE_NAME, r.INDEX_NAME), {"unique": not r.NON_UNIQUE, "method": r.INDEX_TYPE, "cols": []}
        )
        entry["cols"].append(r.COLUMN_NAME if r.SUB_PART is None else f"{r.COLUMN_NAME}({r.SUB_PART})")
    for (tbl, name), entry in grouped.items():
        table = result.tables.get(tbl)
        if table is None:
            continue
        if name == "PRIMARY":
            table.primary_key = PrimaryKey("PRIMARY", entry["cols"])
        table.indexes.append(
            Index(
                name=name,
                table=tbl,
                columns=entry["cols"],
                unique=entry["unique"],
                method=str(entry["method"]).lower(),
                constraint=name if name == "PRIMARY" else None,
            )
        )
        if entry["unique"] and name != "PRIMARY":
            table.uniques.append(Unique(name, entry["cols"]))
    fks: dict[tuple[str, str], ForeignKey] = {}
    for r in rows(FOREIGN_KEYS):
        table = result.tables.get(r.TABLE_NAME)
        if table is None:
            continue
        fk = fks.get((r.TABLE_NAME, r.CONSTRAINT_NAME))
        if fk is None:
            fk = ForeignKey(r.CONSTRAINT_NAME, [], r.REFERENCED_TABLE_NAME, [], r.DELETE_RULE, r.UPDATE_RULE)
            fks[(r.TABLE_NAME, r.CONSTRAINT_NAME)] = fk
            table.foreign_keys.append(fk)
        fk.columns.append(r.COLUMN_NAME)
        fk.ref_columns.append(r.REFERENCED_COLUMN_NAME)
    for r in rows(CHECKS):
        table = result.tables.get(r.TABLE_NAME)
        if table is not None:
            table.checks.append(Check(r.CONSTRAINT_NAME, r.CHECK_CLAUSE))
    for r in rows(VIEWS):
        result.views[r.TABLE_NAME] = View(name=r.TABLE_NAME, definition=r.VIEW_DEFINITION)
    result.server_version = str(conn.execute(text("SELECT VERSION()")).scalar())
    result.catalog_queries = 8
    return result
