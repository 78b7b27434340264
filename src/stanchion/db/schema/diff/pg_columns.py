"""PostgreSQL column changes: add, drop, retype (with a cast where one exists), defaults, NOT NULL,
identity; and enum replacement, whose columns are converted through text."""

from __future__ import annotations

from dataclasses import replace

from stanchion.db.schema import ddl
from stanchion.db.schema.diff.steps import DATA_LOSS, LONG_LOCK, MAY_FAIL, REWRITE, Step, column_changes, q
from stanchion.db.schema.model import Column, Schema, Table

D = "postgresql"
OLD_ENUM = "__stanchion_old"
REPLACE_COLUMN = "replace column"  # the drop of a drop-and-add: allowed only with allow_data_loss

_TEXT = ("text", "character varying", "character", "varchar", "char", "citext")
_NUMBER = ("smallint", "integer", "bigint", "numeric", "real", "double precision", "decimal")
_TIME = ("date", "timestamp", "time")


def castable(old: str, new: str, enums: frozenset[str] = frozenset()) -> bool:
    """Whether ``ALTER COLUMN ... TYPE new USING ...`` can work for a column of type ``old``: anything
    casts to and from text (and so an enum to another enum, through text), numbers among themselves, dates
    and times among themselves. Other changes are planned as drop and add (data loss, named as such)."""
    if old in enums or new in enums:
        return True

    def kind(t: str) -> str:
        for name, group in (("text", _TEXT), ("number", _NUMBER), ("time", _TIME)):
            if t.startswith(group):
                return name
        return t

    a, b = kind(old), kind(new)
    return a == b or "text" in (a, b)


def rewritten_enums(a: Schema, b: Schema) -> set[str]:
    """Enums whose labels were removed or reordered: PostgreSQL can only append, so they are replaced."""
    return {
        n
        for n, e in b.enums.items()
        if n in a.enums and e.labels[: len(a.enums[n].labels)] != a.enums[n].labels
    }


def enum_columns(a: Schema, b: Schema, enums: set[str], schema: str) -> list[tuple[str, str]]:
    """(table, column) of columns typed with one of ``enums`` (of ``schema``) on both sides."""
    types = {ddl.qualified(e, D, schema) for e in enums}
    out = []
    for name, tb in b.tables.items():
        ta = a.tables.get(name)
        if ta is None or tb.partition_of:
            continue
        for col in tb.columns:
            old = ta.column(col.name)
            if old is not None and old.type in types and col.type == old.type:
                out.append((name, col.name))
    return out


def replace_enum(a: Schema, b: Schema, name: str, labels: str, schema: str) -> list[Step]:
    """Rename the old type away, create the new one, convert each column through text (the old type is
    dropped at the end of the plan, after the columns that still use it are gone)."""
    typ = ddl.qualified(name, D, schema)
    steps = [
        Step(f"ALTER TYPE {typ} RENAME TO {q(name + OLD_ENUM, D)}", "alter type", name),
        Step(f"CREATE TYPE {typ} AS ENUM ({labels})", "create type", name),
    ]
    for table, column in enum_columns(a, b, {name}, schema):
        t, c = ddl.qualified(table, D, schema), q(column, D)
        old = a.tables[table].column(column)
        new = b.tables[table].column(column)
        if old is not None and old.default is not None:
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT", "alter column", column))
        steps.append(
            Step(
                f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {typ} USING {c}::text::{typ}",
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


def retyped_or_dropped(a: Schema, b: Schema) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        if tb is None:
            out[name] = {c.name for c in ta.columns}
            continue
        _, removed, changed = column_changes(ta, tb)
        cols = {c.name for c in removed} | {old.name for old, new in changed if old.type != new.type}
        cols |= {old.name for old, new in changed if old.generated != new.generated}
        if cols:
            out[name] = cols
    return out


def enum_types(a: Schema, b: Schema) -> frozenset[str]:
    """The enum types of both sides as columns name them (schema-qualified)."""
    return frozenset(ddl.qualified(n, D, s.name) for s in (a, b) for n in s.enums)


def readds(old: Column, new: Column, enums: frozenset[str]) -> bool:
    """Whether the column must be dropped and added again: it becomes generated (or its expression
    changes), or its type changes with no cast. A generated column becoming plain keeps its values
    (DROP EXPRESSION)."""
    if new.generated is not None and old.generated != new.generated:
        return True
    return old.type != new.type and not castable(old.type, new.type, enums)


def rebuilt_columns(a: Schema, b: Schema) -> dict[str, set[str]]:
    """Columns PostgreSQL will drop (with their indexes and checks): dropped, or re-added because their
    generation expression or an uncastable type changes."""
    out: dict[str, set[str]] = {}
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        if tb is None:
            continue
        _, removed, changed = column_changes(ta, tb)
        cols = {c.name for c in removed}
        cols |= {old.name for old, new in changed if readds(old, new, enum_types(a, b))}
        if cols:
            out[name] = cols
    return out


def own_columns(ta: Table, tb: Table) -> tuple[Table, Table]:
    """The two sides with only the columns this table owns: a column inherited from a parent (a
    partition's, an INHERITS child's) changes with the parent. A table leaving its parent owns every column
    it had; one that was only inherited and is local in ``tb`` vanished with the parent's and is added."""
    inherited = {c.name for c in tb.columns if not c.local}
    leaving = (ta.partition_of and not tb.partition_of) or bool(set(ta.inherits) - set(tb.inherits))
    a_cols = [c for c in ta.columns if c.name not in inherited and (c.local or leaving)]
    return replace(ta, columns=a_cols), replace(tb, columns=[c for c in tb.columns if c.local])


def alter_columns(ta: Table, tb: Table, schema: str, enums: frozenset[str] = frozenset()) -> list[Step]:
    t = ddl.qualified(tb.name, D, schema)
    steps: list[Step] = []
    added, removed, changed = column_changes(*own_columns(ta, tb))
    for col in removed:
        steps.append(
            Step(f"ALTER TABLE {t} DROP COLUMN {q(col.name, D)}", "drop column", col.name, [DATA_LOSS])
        )
    for col in added:
        hazards = [MAY_FAIL] if not col.nullable and col.default is None and not col.identity else []
        if col.generated or (col.default and "(" in col.default and "nextval" not in col.default):
            hazards.append(REWRITE)
        steps.append(
            Step(f"ALTER TABLE {t} ADD COLUMN {ddl.column_sql(col, D)}", "add column", col.name, hazards)
        )
    for old, new in changed:
        c = q(new.name, D)
        if readds(old, new, enums):
            # a generated column's values are computed again; a plain column's are lost
            hazards = [REWRITE] if old.generated else [DATA_LOSS]
            steps.append(Step(f"ALTER TABLE {t} DROP COLUMN {c}", REPLACE_COLUMN, new.name, hazards))
            steps.append(Step(f"ALTER TABLE {t} ADD COLUMN {ddl.column_sql(new, D)}", "add column", new.name))
            continue
        if old.generated and not new.generated:
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP EXPRESSION", "alter column", new.name))
        if old.identity and new.identity and old.identity != new.identity:
            # keeps the sequence and its position
            word = new.identity.upper()
            steps.append(
                Step(f"ALTER TABLE {t} ALTER COLUMN {c} SET GENERATED {word}", "alter column", new.name)
            )
        elif old.identity and old.identity != new.identity:
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY", "alter column", new.name))
        if old.default is not None and (old.default != new.default or old.type != new.type):
            steps.append(Step(f"ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT", "alter column", new.name))
        if old.type != new.type:
            via = "::text" if old.type in enums or new.type in enums else ""
            steps.append(
                Step(
                    f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {new.type} USING {c}{via}::{new.type}",
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
        if new.identity and not old.identity:
            sql = f"ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED {new.identity.upper()} AS IDENTITY"
            steps.append(Step(sql, "alter column", new.name))
    return steps
