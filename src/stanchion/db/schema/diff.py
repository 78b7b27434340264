"""Compare two schema models and plan the SQL that turns one into the other, in dependency order.

``plan_steps(a, b)`` is the up plan; the down plan is ``plan_steps(b, a)``. Each step names the hazards it
carries (data loss, table rewrite, long lock) so a reviewer sees them before running it. PostgreSQL alters in
place; SQLite, which cannot alter columns or constraints, rebuilds the table (create, copy, drop, rename).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stanchion.db.schema import ddl
from stanchion.db.schema.model import Column, ForeignKey, Index, Schema, Table, View
from stanchion.errors import UsageError

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


def _q(name: str, dialect: str) -> str:
    return ddl.ident(name, dialect)


def _plain_indexes(table: Table) -> dict[str, Index]:
    return {i.name: i for i in table.indexes if i.constraint is None}


def _index_key(index: Index, dialect: str) -> Any:
    if dialect == "postgresql" and index.definition:
        return index.definition
    return (index.name, *index.signature())


def _view_order(views: dict[str, View], names: set[str]) -> list[str]:
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


def _dependent_views(schema: Schema, roots: set[str]) -> set[str]:
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


def _column_changes(a: Table, b: Table) -> tuple[list[Column], list[Column], list[tuple[Column, Column]]]:
    a_cols = {c.name: c for c in a.columns}
    b_cols = {c.name: c for c in b.columns}
    added = [c for c in b.columns if c.name not in a_cols]
    removed = [c for c in a.columns if c.name not in b_cols]
    changed = [
        (a_cols[n], c) for n, c in b_cols.items() if n in a_cols and a_cols[n].signature() != c.signature()
    ]
    return added, removed, changed


def _keyed(items: list[Any], dialect: str) -> dict[Any, Any]:
    """Constraints keyed by name (PostgreSQL, MySQL) or by what they say (SQLite names are not kept)."""
    if dialect == "sqlite":
        return {item.signature(): item for item in items}
    return {(item.name, item.signature()): item for item in items}


def plan_steps(a: Schema, b: Schema) -> list[Step]:
    """The statements that turn ``a`` into ``b``."""
    if a.dialect != b.dialect:
        raise UsageError(
            f"cannot diff a {a.dialect} schema against a {b.dialect} schema", "compare schemas of one dialect"
        )
    if a.dialect == "postgresql":
        return _plan_pg(a, b)
    if a.dialect == "sqlite":
        from stanchion.db.schema.diff_sqlite import plan_sqlite

        return plan_sqlite(a, b)
    raise UsageError(
        "schema diff supports PostgreSQL and SQLite", "for MySQL, compare with `stanchion db analyze --json`"
    )


def _retyped_or_dropped(a: Schema, b: Schema) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        if tb is None:
            out[name] = {c.name for c in ta.columns}
            continue
        _, removed, changed = _column_changes(ta, tb)
        cols = {c.name for c in removed} | {old.name for old, new in changed if old.type != new.type}
        cols |= {old.name for old, new in changed if old.generated != new.generated}
        if cols:
            out[name] = cols
    return out


_OLD_ENUM = "__stanchion_old"


def _rewritten_enums(a: Schema, b: Schema) -> set[str]:
    """Enums whose labels were removed or reordered: PostgreSQL can only append, so they are replaced."""
    return {
        n
        for n, e in b.enums.items()
        if n in a.enums and e.labels[: len(a.enums[n].labels)] != a.enums[n].labels
    }


def _enum_columns(a: Schema, b: Schema, enums: set[str]) -> list[tuple[str, str]]:
    """(table, column) of columns typed with one of ``enums`` on both sides."""
    out = []
    for name, tb in b.tables.items():
        ta = a.tables.get(name)
        if ta is None or tb.partition_of:
            continue
        for col in tb.columns:
            old = ta.column(col.name)
            if old is not None and old.type in enums and col.type == old.type:
                out.append((name, col.name))
    return out


def _replace_enum_pg(a: Schema, b: Schema, name: str, labels: str) -> list[Step]:
    """Rename the old type away, create the new one, convert each column through text (the old type is
    dropped at the end of the plan, after the columns that still use it are gone)."""
    d = "postgresql"
    steps = [
        Step(f"ALTER TYPE {_q(name, d)} RENAME TO {_q(name + _OLD_ENUM, d)}", "alter type", name),
        Step(f"CREATE TYPE {_q(name, d)} AS ENUM ({labels})", "create type", name),
    ]
    for table, column in _enum_columns(a, b, {name}):
        t, c = _q(table, d), _q(column, d)
        old = a.tables[table].column(column)
        new = b.tables[table].column(column)
        if old is not None and old.default is not None:
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT", "alter column", column))
        steps.append(
            Step(
                f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {_q(name, d)} USING {c}::text::{_q(name, d)}",
                "alter column type",
                column,
                [REWRITE, LONG_LOCK, MAY_FAIL],
            )
        )
        if new is not None and new.default is not None:
            steps.append(
                Step(f"ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {new.default}", "alter column", column)
            )
    return steps


def _rebuilt_columns(a: Schema, b: Schema) -> dict[str, set[str]]:
    """Columns PostgreSQL will drop (with their indexes and checks): dropped, or re-added because their
    generation expression or an uncastable type changes."""
    out: dict[str, set[str]] = {}
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        if tb is None:
            continue
        _, removed, changed = _column_changes(ta, tb)
        cols = {c.name for c in removed}
        cols |= {
            old.name
            for old, new in changed
            if old.generated != new.generated or (old.type != new.type and not castable(old.type, new.type))
        }
        if cols:
            out[name] = cols
    return out


def _mentions(text: str, columns: set[str]) -> bool:
    import re

    return any(re.search(rf'(?<![\w"]){re.escape(c)}(?![\w"])|"{re.escape(c)}"', text) for c in columns)


def _plan_pg(a: Schema, b: Schema) -> list[Step]:
    d = "postgresql"
    steps: list[Step] = []
    touched = _retyped_or_dropped(a, b)
    rewritten_enums = _rewritten_enums(a, b)
    for table, column in _enum_columns(a, b, rewritten_enums):
        touched.setdefault(table, set()).add(column)
    removed_tables = set(a.tables) - set(b.tables)
    changed_views = {n for n, v in a.views.items() if n not in b.views or b.views[n] != v}
    touched_objects = set(touched) | changed_views
    drop_views = changed_views | _dependent_views(a, touched_objects)
    for name in reversed(_view_order(a.views, drop_views)):
        steps.append(Step(ddl.drop_view(a.views[name], d), "drop view", name))

    # constraints of a that do not survive: removed, changed, or over columns that change or go
    def survives(table: str, cols: list[str]) -> bool:
        return table in b.tables and not (set(cols) & touched.get(table, set()))

    dropped_keys: set[tuple[str, str]] = set()
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        keep_pk = tb is not None and ta.primary_key is not None and tb.primary_key is not None
        keep_pk = keep_pk and ta.primary_key.signature() == tb.primary_key.signature()  # type: ignore[union-attr]
        keep_pk = keep_pk and ta.primary_key.name == tb.primary_key.name  # type: ignore[union-attr]
        if ta.primary_key is not None and not (keep_pk and survives(name, ta.primary_key.columns)):
            dropped_keys.add((name, ta.primary_key.name))
        b_uniques = _keyed(tb.uniques, d) if tb else {}
        for key, unique in _keyed(ta.uniques, d).items():
            if key not in b_uniques or not survives(name, unique.columns):
                dropped_keys.add((name, unique.name))
    dropped_key_cols = {
        (t, tuple(c.columns))
        for t, tbl in a.tables.items()
        for c in [tbl.primary_key, *tbl.uniques]
        if c is not None and (t, c.name) in dropped_keys
    }

    fk_drops: list[tuple[Table, ForeignKey]] = []
    kept_fks: set[tuple[str, Any]] = set()
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        b_fks = _keyed(tb.foreign_keys, d) if tb else {}
        for key, fk in _keyed(ta.foreign_keys, d).items():
            gone = key not in b_fks or fk.ref_table in removed_tables or not survives(name, fk.columns)
            gone = gone or not survives(fk.ref_table, fk.ref_columns)
            gone = gone or (fk.ref_table, tuple(fk.ref_columns)) in dropped_key_cols
            if gone:
                fk_drops.append((ta, fk))
            else:
                kept_fks.add((name, key))
    for ta, fk in fk_drops:
        if ta.name in removed_tables:
            continue  # goes with its table, after every reference to it is gone
        steps.append(
            Step(
                f"ALTER TABLE {_q(ta.name, d)} DROP CONSTRAINT {_q(fk.name, d)}", "drop foreign key", fk.name
            )
        )
    for ta, fk in fk_drops:
        if ta.name in removed_tables:
            steps.append(
                Step(
                    f"ALTER TABLE {_q(ta.name, d)} DROP CONSTRAINT {_q(fk.name, d)}",
                    "drop foreign key",
                    fk.name,
                )
            )

    rebuilt = _rebuilt_columns(a, b)
    redo_indexes: set[tuple[str, str]] = set()
    redo_checks: set[tuple[str, str]] = set()
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        if tb is None:
            continue
        b_idx = _plain_indexes(tb)
        for iname, index in _plain_indexes(ta).items():
            hit = _mentions(" ".join([*index.columns, index.where or ""]), rebuilt.get(name, set()))
            if hit:
                redo_indexes.add((name, iname))
            if iname not in b_idx or _index_key(b_idx[iname], d) != _index_key(index, d) or hit:
                steps.append(Step(ddl.drop_index(index, d), "drop index", iname))
        b_checks = _keyed(tb.checks, d)
        for key, check in _keyed(ta.checks, d).items():
            hit = _mentions(check.expression, rebuilt.get(name, set()))
            if hit:
                redo_checks.add((name, check.name))
            if key not in b_checks or hit:
                steps.append(
                    Step(
                        f"ALTER TABLE {_q(name, d)} DROP CONSTRAINT {_q(check.name, d)}",
                        "drop check",
                        check.name,
                    )
                )
        for con in [ta.primary_key, *ta.uniques]:
            goes_with_column = bool(set(con.columns) & rebuilt.get(name, set())) if con is not None else False
            if con is not None and (name, con.name) in dropped_keys and not goes_with_column:
                steps.append(
                    Step(
                        f"ALTER TABLE {_q(name, d)} DROP CONSTRAINT {_q(con.name, d)}",
                        "drop constraint",
                        con.name,
                    )
                )

    # partitions before their parents
    for name in sorted(removed_tables, key=lambda n: a.tables[n].partition_of is None):
        steps.append(Step(f"DROP TABLE {_q(name, d)}", "drop table", name, [DATA_LOSS]))

    for name, enum in b.enums.items():
        old = a.enums.get(name)
        labels = ", ".join("'" + label.replace("'", "''") + "'" for label in enum.labels)
        if old is None:
            steps.append(Step(f"CREATE TYPE {_q(name, d)} AS ENUM ({labels})", "create type", name))
        elif old.labels != enum.labels:
            if enum.labels[: len(old.labels)] != old.labels:
                steps.extend(_replace_enum_pg(a, b, name, labels))
                continue
            for label in enum.labels[len(old.labels) :]:
                quoted = "'" + label.replace("'", "''") + "'"
                steps.append(
                    Step(
                        f"ALTER TYPE {_q(name, d)} ADD VALUE {quoted}",
                        "alter type",
                        name,
                        transactional=False,
                    )
                )
    for name, seq in b.sequences.items():
        if seq.identity:
            continue
        old_seq = a.sequences.get(name)
        if old_seq is None or old_seq.identity:
            steps.append(Step(ddl.create_sequence(seq, d), "create sequence", name))
        elif old_seq.signature() != seq.signature():
            steps.append(
                Step(
                    f"ALTER SEQUENCE {_q(name, d)} AS {seq.type} INCREMENT BY {seq.increment} "
                    f"MINVALUE {seq.min_value} MAXVALUE {seq.max_value} START WITH {seq.start}",
                    "alter sequence",
                    name,
                )
            )

    added_tables = [n for n in b.tables if n not in a.tables]
    for name in sorted(added_tables, key=lambda n: b.tables[n].partition_of is not None):
        steps.append(Step(ddl.create_table(b.tables[name], d), "create table", name))
        for index in _plain_indexes(b.tables[name]).values():
            steps.append(Step(ddl.create_index(index, d), "create index", index.name))

    for name, tb in b.tables.items():
        old_table = a.tables.get(name)
        if old_table is None:
            continue
        ta = old_table
        steps.extend(_alter_columns_pg(ta, tb))
        a_checks = _keyed(ta.checks, d)
        for key, check in _keyed(tb.checks, d).items():
            if key not in a_checks or (name, check.name) in redo_checks:
                body = f"CHECK ({ddl._strip_parens(check.expression)})"
                steps.append(
                    Step(
                        f"ALTER TABLE {_q(name, d)} ADD CONSTRAINT {_q(check.name, d)} {body}",
                        "add check",
                        check.name,
                        [LONG_LOCK, MAY_FAIL],
                    )
                )
        a_keys = {(c.name, c.signature()) for c in [ta.primary_key, *ta.uniques] if c is not None}
        for con, word in [(tb.primary_key, "PRIMARY KEY"), *((u, "UNIQUE") for u in tb.uniques)]:
            if con is None:
                continue
            if (con.name, con.signature()) not in a_keys or (name, con.name) in dropped_keys:
                steps.append(
                    Step(
                        f"ALTER TABLE {_q(name, d)} ADD CONSTRAINT {_q(con.name, d)} {word} "
                        f"({ddl.idents(con.columns, d)})",
                        "add constraint",
                        con.name,
                        [LONG_LOCK, MAY_FAIL],
                    )
                )
        a_idx = _plain_indexes(ta)
        for iname, index in _plain_indexes(tb).items():
            changed = iname not in a_idx or _index_key(a_idx[iname], d) != _index_key(index, d)
            if changed or (name, iname) in redo_indexes:
                steps.append(Step(ddl.create_index(index, d), "create index", iname, [LONG_LOCK]))

    for name, seq in a.sequences.items():
        if name not in b.sequences and not seq.identity:
            steps.append(Step(f"DROP SEQUENCE IF EXISTS {_q(name, d)}", "drop sequence", name))
    for name in a.enums:
        if name not in b.enums:
            steps.append(Step(f"DROP TYPE {_q(name, d)}", "drop type", name))
        elif name in rewritten_enums:
            steps.append(Step(f"DROP TYPE {_q(name + _OLD_ENUM, d)}", "drop type", name + _OLD_ENUM))

    for name, tb in b.tables.items():
        for key, fk in _keyed(tb.foreign_keys, d).items():
            if (name, key) in kept_fks:
                continue
            steps.append(
                Step(
                    f"ALTER TABLE {_q(name, d)} ADD CONSTRAINT {_q(fk.name, d)} {ddl.fk_clause(fk, d)}",
                    "add foreign key",
                    fk.name,
                    [LONG_LOCK] if name in a.tables else [],
                )
            )
    for name, seq in b.sequences.items():
        old_owner = a.sequences[name].owned_by if name in a.sequences else None
        if seq.owned_by and not seq.identity and (seq.owned_by != old_owner or name not in a.sequences):
            table, column = seq.owned_by.rsplit(".", 1)
            steps.append(
                Step(
                    f"ALTER SEQUENCE {_q(name, d)} OWNED BY {_q(table, d)}.{_q(column, d)}",
                    "own sequence",
                    name,
                )
            )

    create_views = {n for n in b.views if n not in a.views or n in drop_views}
    for name in _view_order(b.views, create_views):
        steps.append(Step(ddl.create_view(b.views[name], d), "create view", name))
    return steps


_TEXT = ("text", "character varying", "character", "varchar", "char", "citext")
_NUMBER = ("smallint", "integer", "bigint", "numeric", "real", "double precision", "decimal")
_TIME = ("date", "timestamp", "time")


def castable(old: str, new: str) -> bool:
    """Whether ``ALTER COLUMN ... TYPE new USING col::new`` can work for a column of type ``old``:
    anything casts to and from text, numbers among themselves, dates and times among themselves.
    Other changes are planned as drop and add (data loss, named as such)."""

    def kind(t: str) -> str:
        for name, group in (("text", _TEXT), ("number", _NUMBER), ("time", _TIME)):
            if t.startswith(group):
                return name
        return t

    a, b = kind(old), kind(new)
    return a == b or "text" in (a, b)


def _alter_columns_pg(ta: Table, tb: Table) -> list[Step]:
    d = "postgresql"
    t = _q(tb.name, d)
    steps: list[Step] = []
    if tb.partition_of:
        return steps  # partitions take their columns from the parent
    added, removed, changed = _column_changes(ta, tb)
    for col in removed:
        steps.append(
            Step(f"ALTER TABLE {t} DROP COLUMN {_q(col.name, d)}", "drop column", col.name, [DATA_LOSS])
        )
    for col in added:
        hazards = [MAY_FAIL] if not col.nullable and col.default is None and not col.identity else []
        if col.generated or (col.default and "(" in col.default and "nextval" not in col.default):
            hazards.append(REWRITE)
        steps.append(
            Step(f"ALTER TABLE {t} ADD COLUMN {ddl.column_sql(col, d)}", "add column", col.name, hazards)
        )
    for old, new in changed:
        c = _q(new.name, d)
        if old.generated != new.generated or (old.type != new.type and not castable(old.type, new.type)):
            steps.append(Step(f"ALTER TABLE {t} DROP COLUMN {c}", "drop column", new.name, [DATA_LOSS]))
            steps.append(Step(f"ALTER TABLE {t} ADD COLUMN {ddl.column_sql(new, d)}", "add column", new.name))
            continue
        if old.identity and old.identity != new.identity:
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY", "alter column", new.name))
        if old.default is not None and (old.default != new.default or old.type != new.type):
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT", "alter column", new.name))
        if old.type != new.type:
            steps.append(
                Step(
                    f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {new.type} USING {c}::{new.type}",
                    "alter column type",
                    new.name,
                    [REWRITE, LONG_LOCK, MAY_FAIL],
                )
            )
        if new.default is not None and (old.default != new.default or old.type != new.type):
            steps.append(
                Step(f"ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {new.default}", "alter column", new.name)
            )
        if old.nullable != new.nullable:
            if new.nullable:
                steps.append(
                    Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL", "alter column", new.name)
                )
            else:
                steps.append(
                    Step(
                        f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL",
                        "alter column",
                        new.name,
                        [LONG_LOCK, MAY_FAIL],
                    )
                )
        if new.identity and old.identity != new.identity:
            if old.identity:
                sql = f"ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {new.identity.upper()} AS IDENTITY"
            else:
                sql = f"ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {new.identity.upper()} AS IDENTITY"
            steps.append(Step(sql, "alter column", new.name))
    return steps
