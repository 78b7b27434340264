"""SQLite's side of the schema diff: ALTER TABLE where SQLite can, otherwise a table rebuild (create the new
shape, copy the rows, drop the old table, rename), which is how SQLite itself documents schema changes.
"""

from __future__ import annotations

from typing import Any

from stanchion.db.schema import ddl
from stanchion.db.schema.diff.steps import (
    DATA_LOSS,
    LONG_LOCK,
    MAY_FAIL,
    REWRITE,
    Step,
    column_changes,
    dependent_views,
    index_key,
    keyed,
    mentions,
    plain_indexes,
    q,
    view_order,
)
from stanchion.db.schema.model import Schema, Table


def _sqlite_simple_change(ta: Table, tb: Table) -> bool:
    """True when ALTER TABLE can turn ``ta`` into ``tb``: plain nullable columns added at the end, and
    columns dropped that no key, index, foreign key or check mentions (SQLite 3.35+ DROP COLUMN)."""
    added, removed, changed = column_changes(ta, tb)
    if changed:
        return False
    same = (
        ta.primary_key == tb.primary_key
        and set(keyed(ta.uniques, "sqlite")) == set(keyed(tb.uniques, "sqlite"))
        and set(keyed(ta.checks, "sqlite")) == set(keyed(tb.checks, "sqlite"))
        and set(keyed(ta.foreign_keys, "sqlite")) == set(keyed(tb.foreign_keys, "sqlite"))
    )
    gone = {c.name for c in removed}
    kept = [c.name for c in ta.columns if c.name not in gone]
    if not same or kept + [c.name for c in added] != [c.name for c in tb.columns]:
        return False
    used: set[str] = set()
    for con in [ta.primary_key, *ta.uniques]:
        used |= set(con.columns) if con is not None else set()
    for fk in ta.foreign_keys:
        used |= set(fk.columns)
    for index in ta.indexes:
        used |= set(index.columns)
    if (
        gone & used
        or any(mentions(c.expression, gone) for c in ta.checks)
        or any(c.generated for c in removed)
    ):
        return False
    for col in added:
        plain_default = col.default is None or ddl.sqlite_default(col.default) == col.default
        if not plain_default or col.generated or (not col.nullable and col.default is None):
            return False
    return True


def plan_sqlite(a: Schema, b: Schema) -> list[Step]:
    d = "sqlite"
    steps: list[Step] = []
    rebuild = {
        n
        for n, tb in b.tables.items()
        if n in a.tables and not _sqlite_simple_change(a.tables[n], tb) and a.tables[n] != tb
    }
    rebuild = {n for n in rebuild if _table_differs(a.tables[n], b.tables[n])}
    removed = set(a.tables) - set(b.tables)
    changed_views = {
        n for n, v in a.views.items() if n not in b.views or b.views[n].definition != v.definition
    }
    drop_views = changed_views | dependent_views(a, rebuild | removed | changed_views)
    if rebuild:
        drop_views = set(a.views)  # renaming a table checks every view in the schema
    if rebuild or removed:
        # a rebuilt or dropped table may be referenced: check foreign keys at commit, not per statement
        steps.append(Step("PRAGMA defer_foreign_keys = ON", "defer foreign keys", "main"))
    for name in reversed(view_order(a.views, drop_views)):
        steps.append(Step(ddl.drop_view(a.views[name], d), "drop view", name))
    for name, ta in a.tables.items():
        if name in removed or name in rebuild:
            continue
        b_idx = plain_indexes(b.tables[name])
        for iname, index in plain_indexes(ta).items():
            if iname not in b_idx or index_key(b_idx[iname], d) != index_key(index, d):
                steps.append(Step(ddl.drop_index(index, d), "drop index", iname))
    for name in sorted(removed):
        steps.append(Step(f"DROP TABLE {q(name, d)}", "drop table", name, [DATA_LOSS]))
    for name, tb in b.tables.items():
        if name not in a.tables:
            steps.append(Step(ddl.create_table(tb, d), "create table", name))
            for index in plain_indexes(tb).values():
                steps.append(Step(ddl.create_index(index, d), "create index", index.name))
            steps += [Step(sql, "create trigger", t) for t, sql in sorted(tb.triggers.items())]
        elif name in rebuild:
            steps.extend(_rebuild_sqlite(a.tables[name], tb))
        else:
            ta = a.tables[name]
            added, dropped, _ = column_changes(ta, tb)
            for col in dropped:
                steps.append(
                    Step(
                        f"ALTER TABLE {q(name, d)} DROP COLUMN {q(col.name, d)}",
                        "drop column",
                        col.name,
                        [DATA_LOSS],
                    )
                )
            for col in added:
                steps.append(
                    Step(
                        f"ALTER TABLE {q(name, d)} ADD COLUMN {ddl.column_sql(col, d)}",
                        "add column",
                        col.name,
                    )
                )
            a_idx = plain_indexes(ta)
            for iname, index in plain_indexes(tb).items():
                if iname not in a_idx or index_key(a_idx[iname], d) != index_key(index, d):
                    steps.append(Step(ddl.create_index(index, d), "create index", iname))
            for trigger, sql in sorted(ta.triggers.items()):
                if tb.triggers.get(trigger) != sql:
                    steps.append(Step(f"DROP TRIGGER {q(trigger, d)}", "drop trigger", trigger))
            for trigger, sql in sorted(tb.triggers.items()):
                if ta.triggers.get(trigger) != sql:
                    steps.append(Step(sql, "create trigger", trigger))
    create_views = {n for n in b.views if n not in a.views or n in drop_views}
    for name in view_order(b.views, create_views):
        steps.append(Step(ddl.create_view(b.views[name], d), "create view", name))
    return steps


def _table_differs(ta: Table, tb: Table) -> bool:
    def shape(t: Table) -> Any:
        return (
            [(*c.signature(), c.name) for c in t.columns],
            t.primary_key.signature() if t.primary_key else None,
            sorted(keyed(t.uniques, "sqlite")),
            sorted(keyed(t.checks, "sqlite")),
            sorted(keyed(t.foreign_keys, "sqlite")),
        )

    return bool(shape(ta) != shape(tb))


def _rebuild_sqlite(ta: Table, tb: Table) -> list[Step]:
    d = "sqlite"
    temp = f"_stanchion_new_{tb.name}"
    common = [c.name for c in tb.columns if ta.column(c.name) is not None and not c.generated]
    cols = ddl.idents(common, d)
    _, removed, changed = column_changes(ta, tb)
    hazards = [REWRITE, LONG_LOCK]
    if removed:
        hazards.insert(0, DATA_LOSS)
    if any(not new.nullable and old.nullable for old, new in changed) or any(
        old.type != new.type for old, new in changed
    ):
        hazards.append(MAY_FAIL)
    steps = [
        Step(ddl.create_table(tb, d, name=temp), "rebuild table", tb.name, hazards),
        Step(
            f"INSERT INTO {q(temp, d)} ({cols}) SELECT {cols} FROM {q(tb.name, d)}",
            "rebuild table",
            tb.name,
        ),
        Step(f"DROP TABLE {q(tb.name, d)}", "rebuild table", tb.name),
        Step(f"ALTER TABLE {q(temp, d)} RENAME TO {q(tb.name, d)}", "rebuild table", tb.name),
    ]
    for index in plain_indexes(tb).values():
        steps.append(Step(ddl.create_index(index, d), "create index", index.name))
    # dropping the old table dropped its triggers: create the wanted ones again
    steps += [Step(sql, "create trigger", name) for name, sql in sorted(tb.triggers.items())]
    return steps
