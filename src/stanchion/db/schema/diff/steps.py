"""What every dialect's planner shares: the step, the hazards a step names, and helpers over the model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stanchion.db.schema import ddl
from stanchion.db.schema.model import Column, Index, Schema, Table, View

DATA_LOSS = "data loss"
REWRITE = "table rewrite"
LONG_LOCK = "long lock"
MAY_FAIL = "fails on existing rows"


@dataclass
class Step:
    sql: str
    kind: str
    object: str
    hazards: list[str] = field(default_factory=list)
    transactional: bool = True  # False: PostgreSQL cannot use its effect in the same transaction

    def to_json(self) -> dict[str, Any]:
        return {
            "sql": self.sql,
            "kind": self.kind,
            "object": self.object,
            "hazards": self.hazards,
            "transactional": self.transactional,
        }


def replacements(steps: list[Step]) -> list[Step]:
    """The drops of drop-and-re-add steps that lose data (a column or table that cannot be altered into
    its new shape): a plan holding any needs ``allow_data_loss`` to be written."""
    return [s for s in steps if s.kind in ("replace column", "replace table") and DATA_LOSS in s.hazards]


def q(name: str, dialect: str) -> str:
    return ddl.ident(name, dialect)


def plain_indexes(table: Table) -> dict[str, Index]:
    return {i.name: i for i in table.indexes if i.constraint is None}


def index_key(index: Index, dialect: str) -> Any:
    if dialect == "postgresql" and index.definition:
        return index.definition
    return (index.name, *index.signature())


def view_order(views: dict[str, View], names: set[str]) -> list[str]:
    """``names`` with every view after the views it reads."""
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(name: str, stack: tuple[str, ...] = ()) -> None:
        if name in seen or name in stack:
            return
        for dep in views[name].depends_on:
            if dep in names and dep != name:
                visit(dep, (*stack, name))
        seen.add(name)
        ordered.append(name)

    for name in sorted(names):
        visit(name)
    return ordered


def dependent_views(schema: Schema, roots: set[str]) -> set[str]:
    """Views reading any of ``roots`` (tables or views), transitively."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for view in schema.views.values():
            if view.name not in found and set(view.depends_on) & (roots | found):
                found.add(view.name)
                changed = True
    return found


def column_changes(a: Table, b: Table) -> tuple[list[Column], list[Column], list[tuple[Column, Column]]]:
    a_cols = {c.name: c for c in a.columns}
    b_cols = {c.name: c for c in b.columns}
    added = [c for c in b.columns if c.name not in a_cols]
    removed = [c for c in a.columns if c.name not in b_cols]
    changed = [
        (a_cols[n], c) for n, c in b_cols.items() if n in a_cols and a_cols[n].signature() != c.signature()
    ]
    return added, removed, changed


def keyed(items: list[Any], dialect: str) -> dict[Any, Any]:
    """Constraints keyed by name (PostgreSQL, MySQL) or by what they say (SQLite names are not kept)."""
    if dialect == "sqlite":
        return {item.signature(): item for item in items}
    return {(item.name, item.signature()): item for item in items}


def mentions(text: str, columns: set[str]) -> bool:
    return any(re.search(rf'(?<![\w"]){re.escape(c)}(?![\w"])|"{re.escape(c)}"', text) for c in columns)
