"""The PostgreSQL planner: one function per object kind, run in dependency order.

Drops go first (dependent views, foreign keys, indexes, checks and keys that do not survive, tables), then
types and sequences, new tables, changes to existing tables, and last foreign keys, sequence ownership and
views. What several kinds need to know (which columns change, which keys go) is worked out once in
``_Context``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from stanchion.db.schema import ddl
from stanchion.db.schema.diff.pg_columns import (
    OLD_ENUM,
    alter_columns,
    enum_columns,
    enum_types,
    rebuilt_columns,
    replace_enum,
    retyped_or_dropped,
    rewritten_enums,
)
from stanchion.db.schema.diff.steps import (
    DATA_LOSS,
    LONG_LOCK,
    MAY_FAIL,
    Step,
    dependent_views,
    index_key,
    keyed,
    mentions,
    plain_indexes,
    q,
    view_order,
)
from stanchion.db.schema.model import ForeignKey, Schema, Table, View

D = "postgresql"
REPLACE_TABLE = "replace table"  # the drop of a drop-and-create: allowed only with allow_data_loss


@dataclass
class _Context:
    a: Schema
    b: Schema
    touched: dict[str, set[str]] = field(default_factory=dict)  # columns retyped or dropped, per table
    rewritten_enums: set[str] = field(default_factory=set)
    removed_tables: set[str] = field(default_factory=set)
    drop_views: set[str] = field(default_factory=set)
    dropped_keys: set[tuple[str, str]] = field(default_factory=set)  # (table, constraint)
    kept_fks: set[tuple[str, Any]] = field(default_factory=set)
    redo_indexes: set[tuple[str, str]] = field(default_factory=set)
    redo_checks: set[tuple[str, str]] = field(default_factory=set)

    @property
    def s(self) -> str:
        return self.b.name

    def n(self, name: str) -> str:
        """``name`` qualified with the schema being diffed: no statement depends on ``search_path``."""
        return ddl.qualified(name, D, self.s)

    def survives(self, table: str, cols: list[str]) -> bool:
        return table in self.b.tables and not (set(cols) & self.touched.get(table, set()))


def plan_postgresql(a: Schema, b: Schema) -> list[Step]:
    replaced = _replaced_tables(a, b)
    if replaced:  # drop them (and what hangs on them) in a first plan, create them anew in a second
        middle = _without(b, replaced)
        first = plan_postgresql(a, middle)
        for step in first:
            if step.kind == "drop table" and step.object in replaced:
                step.kind = REPLACE_TABLE
        return first + plan_postgresql(middle, b)
    ctx = _Context(a, b)
    ctx.touched = retyped_or_dropped(a, b)
    ctx.rewritten_enums = rewritten_enums(a, b)
    for table, column in enum_columns(a, b, ctx.rewritten_enums, b.name):
        ctx.touched.setdefault(table, set()).add(column)
    ctx.removed_tables = set(a.tables) - set(b.tables)
    steps: list[Step] = []
    for kind in (
        _create_extensions,
        _drop_views,
        _drop_foreign_keys,
        _drop_table_constraints,
        _detach_tables,
        _drop_tables,
        _enums,
        _sequences,
        _create_tables,
        _alter_tables,
        _attach_tables,
        _drop_sequences_and_types,
        _add_foreign_keys,
        _own_sequences,
        _create_views,
        _drop_extensions,
    ):
        steps.extend(kind(ctx))
    return steps


def _own_extensions(schema: Schema) -> dict[str, str]:
    """The extensions installed in the schema being diffed (name -> schema); others belong to other schemas.
    Versions are not compared."""
    return {e.name: e.schema for e in schema.extensions.values() if e.schema == schema.name}


def _create_extensions(ctx: _Context) -> list[Step]:
    """First, so that the types and functions they bring exist before anything uses them."""
    have = _own_extensions(ctx.a)
    return [
        Step(
            f"CREATE EXTENSION IF NOT EXISTS {q(name, D)} WITH SCHEMA {q(where, D)}", "create extension", name
        )
        for name, where in sorted(_own_extensions(ctx.b).items())
        if name not in have
    ]


def _drop_extensions(ctx: _Context) -> list[Step]:
    """Last, once nothing of the schema uses them."""
    want = _own_extensions(ctx.b)
    return [
        Step(f"DROP EXTENSION IF EXISTS {q(name, D)}", "drop extension", name, [DATA_LOSS])
        for name in sorted(_own_extensions(ctx.a))
        if name not in want
    ]


def _view_body(view: View) -> tuple[str, bool]:
    return (view.definition, view.materialized)


def _drop_views(ctx: _Context) -> list[Step]:
    a, b = ctx.a, ctx.b
    changed_views = {
        n for n, v in a.views.items() if n not in b.views or _view_body(b.views[n]) != _view_body(v)
    }
    ctx.drop_views = changed_views | dependent_views(a, set(ctx.touched) | changed_views)
    return [
        Step(ddl.drop_view(a.views[name], D, ctx.s), "drop view", name)
        for name in reversed(view_order(a.views, ctx.drop_views))
    ]


def _dropped_keys(ctx: _Context) -> set[tuple[str, str]]:
    """Primary keys and unique constraints of ``a`` that do not survive."""
    out: set[tuple[str, str]] = set()
    for name, ta in ctx.a.tables.items():
        tb = ctx.b.tables.get(name)
        pk_a, pk_b = ta.primary_key, tb.primary_key if tb else None
        keep_pk = pk_a is not None and pk_b is not None
        keep_pk = keep_pk and pk_a.signature() == pk_b.signature() and pk_a.name == pk_b.name  # type: ignore[union-attr]
        if pk_a is not None and not (keep_pk and ctx.survives(name, pk_a.columns)):
            out.add((name, pk_a.name))
        b_uniques = keyed(tb.uniques, D) if tb else {}
        for key, unique in keyed(ta.uniques, D).items():
            if key not in b_uniques or not ctx.survives(name, unique.columns):
                out.add((name, unique.name))
    return out


def _drop_foreign_keys(ctx: _Context) -> list[Step]:
    a, b = ctx.a, ctx.b
    ctx.dropped_keys = _dropped_keys(ctx)
    dropped_key_cols = {
        (t, tuple(c.columns))
        for t, tbl in a.tables.items()
        for c in [tbl.primary_key, *tbl.uniques]
        if c is not None and (t, c.name) in ctx.dropped_keys
    }
    fk_drops: list[tuple[Table, ForeignKey]] = []
    for name, ta in a.tables.items():
        tb = b.tables.get(name)
        b_fks = keyed(tb.foreign_keys, D) if tb else {}
        for key, fk in keyed(ta.foreign_keys, D).items():
            gone = (
                key not in b_fks or fk.ref_table in ctx.removed_tables or not ctx.survives(name, fk.columns)
            )
            gone = gone or not ctx.survives(fk.ref_table, fk.ref_columns)
            gone = gone or (fk.ref_table, tuple(fk.ref_columns)) in dropped_key_cols
            if gone:
                fk_drops.append((ta, fk))
            else:
                ctx.kept_fks.add((name, key))
    # those of surviving tables first; those of dropped tables after, once every reference to them is gone
    ordered = [p for p in fk_drops if p[0].name not in ctx.removed_tables]
    ordered += [p for p in fk_drops if p[0].name in ctx.removed_tables]
    return [
        Step(f"ALTER TABLE {ctx.n(ta.name)} DROP CONSTRAINT {q(fk.name, D)}", "drop foreign key", fk.name)
        for ta, fk in ordered
    ]


def _drop_table_constraints(ctx: _Context) -> list[Step]:
    """Indexes, checks and keys of surviving tables that change or go with a column that is rebuilt."""
    steps: list[Step] = []
    rebuilt = rebuilt_columns(ctx.a, ctx.b)
    for name, ta in ctx.a.tables.items():
        tb = ctx.b.tables.get(name)
        if tb is None:
            continue
        b_idx = plain_indexes(tb)
        for iname, index in plain_indexes(ta).items():
            hit = mentions(" ".join([*index.columns, index.where or ""]), rebuilt.get(name, set()))
            if hit:
                ctx.redo_indexes.add((name, iname))
            if iname not in b_idx or index_key(b_idx[iname], D) != index_key(index, D) or hit:
                steps.append(Step(ddl.drop_index(index, D, ctx.s), "drop index", iname))
        b_checks = keyed(tb.checks, D)
        for key, check in keyed(ta.checks, D).items():
            hit = mentions(check.expression, rebuilt.get(name, set()))
            if hit:
                ctx.redo_checks.add((name, check.name))
            if key not in b_checks or hit:
                steps.append(
                    Step(
                        f"ALTER TABLE {ctx.n(name)} DROP CONSTRAINT {q(check.name, D)}",
                        "drop check",
                        check.name,
                    )
                )
        b_excl = keyed(tb.exclusions, D)
        for key, exclusion in keyed(ta.exclusions, D).items():
            hit = mentions(exclusion.definition, rebuilt.get(name, set()))
            if hit:
                ctx.redo_checks.add((name, exclusion.name))
            if key not in b_excl or hit:
                steps.append(
                    Step(
                        f"ALTER TABLE {ctx.n(name)} DROP CONSTRAINT {q(exclusion.name, D)}",
                        "drop exclusion",
                        exclusion.name,
                    )
                )
        for con in [ta.primary_key, *ta.uniques]:
            goes_with_column = bool(set(con.columns) & rebuilt.get(name, set())) if con is not None else False
            if con is not None and (name, con.name) in ctx.dropped_keys and not goes_with_column:
                steps.append(
                    Step(
                        f"ALTER TABLE {ctx.n(name)} DROP CONSTRAINT {q(con.name, D)}",
                        "drop constraint",
                        con.name,
                    )
                )
    return steps


def _depth(schema: Schema, name: str, seen: frozenset[str] = frozenset()) -> int:
    """How many parents (partitioned tables, INHERITS) stand above ``name``."""
    table = schema.tables.get(name)
    if table is None or name in seen:
        return 0
    parents = [*table.inherits, *([table.partition_of] if table.partition_of else [])]
    return max((1 + _depth(schema, p, seen | {name}) for p in parents), default=0)


def _replaced_tables(a: Schema, b: Schema) -> set[str]:
    """Tables that cannot be altered into their new shape (regular <-> partitioned, another partition key),
    with the partitions and children that go with them."""
    out = {n for n, t in b.tables.items() if n in a.tables and a.tables[n].partition_key != t.partition_key}
    grew = bool(out)
    while grew:
        more = {n for n, t in b.tables.items() if {t.partition_of, *t.inherits} & out} - out
        out |= more
        grew = bool(more)
    return out


def _without(schema: Schema, tables: set[str]) -> Schema:
    """``schema`` without ``tables`` and what depends on them: views, foreign keys, owned sequences."""
    out = copy.deepcopy(schema)
    for name in tables:
        del out.tables[name]
    for name in dependent_views(schema, tables):
        del out.views[name]
    for table in out.tables.values():
        table.foreign_keys = [fk for fk in table.foreign_keys if fk.ref_table not in tables]
    for name, seq in schema.sequences.items():
        if (seq.owned_by or "").rsplit(".", 1)[0] in tables:
            del out.sequences[name]
    return out


def _detach_tables(ctx: _Context) -> list[Step]:
    """Partitions leaving (or changing) their parent, tables leaving an INHERITS parent."""
    steps: list[Step] = []
    for name, ta in sorted(ctx.a.tables.items()):
        tb = ctx.b.tables.get(name)
        if tb is None:
            continue
        moved = (tb.partition_of, tb.partition_bound) != (ta.partition_of, ta.partition_bound)
        if ta.partition_of and moved:
            steps.append(
                Step(
                    f"ALTER TABLE {ctx.n(ta.partition_of)} DETACH PARTITION {ctx.n(name)}",
                    "detach partition",
                    name,
                )
            )
        for parent in ta.inherits:
            if parent not in tb.inherits:
                steps.append(
                    Step(f"ALTER TABLE {ctx.n(name)} NO INHERIT {ctx.n(parent)}", "no inherit", name)
                )
    return steps


def _attach_tables(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name, tb in sorted(ctx.b.tables.items()):
        ta = ctx.a.tables.get(name)
        if ta is None:
            continue
        moved = (tb.partition_of, tb.partition_bound) != (ta.partition_of, ta.partition_bound)
        if tb.partition_of and moved:
            steps.append(
                Step(
                    f"ALTER TABLE {ctx.n(tb.partition_of)} ATTACH PARTITION {ctx.n(name)} {tb.partition_bound}",
                    "attach partition",
                    name,
                    [LONG_LOCK, MAY_FAIL],
                )
            )
        for parent in tb.inherits:
            if parent not in ta.inherits:
                steps.append(
                    Step(f"ALTER TABLE {ctx.n(name)} INHERIT {ctx.n(parent)}", "inherit", name, [MAY_FAIL])
                )
    return steps


def _drop_tables(ctx: _Context) -> list[Step]:
    # partitions and children before their parents
    return [
        Step(f"DROP TABLE {ctx.n(name)}", "drop table", name, [DATA_LOSS])
        for name in sorted(ctx.removed_tables, key=lambda n: (-_depth(ctx.a, n), n))
    ]


def _label_list(labels: list[str]) -> str:
    return ", ".join("'" + label.replace("'", "''") + "'" for label in labels)


def _enums(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name, enum in ctx.b.enums.items():
        old = ctx.a.enums.get(name)
        labels = _label_list(enum.labels)
        if old is None:
            steps.append(Step(f"CREATE TYPE {ctx.n(name)} AS ENUM ({labels})", "create type", name))
        elif old.labels != enum.labels:
            if name in ctx.rewritten_enums:
                steps.extend(replace_enum(ctx.a, ctx.b, name, labels, ctx.s))
                continue
            for label in enum.labels[len(old.labels) :]:
                steps.append(
                    Step(
                        f"ALTER TYPE {ctx.n(name)} ADD VALUE {_label_list([label])}",
                        "alter type",
                        name,
                        transactional=False,
                    )
                )
    return steps


def _sequences(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name, seq in ctx.b.sequences.items():
        if seq.identity:
            continue
        old_seq = ctx.a.sequences.get(name)
        if old_seq is None or old_seq.identity:
            steps.append(Step(ddl.create_sequence(seq, D, ctx.s), "create sequence", name))
        elif old_seq.signature() != seq.signature():
            steps.append(
                Step(
                    f"ALTER SEQUENCE {ctx.n(name)} AS {seq.type} INCREMENT BY {seq.increment} "
                    f"MINVALUE {seq.min_value} MAXVALUE {seq.max_value} START WITH {seq.start}",
                    "alter sequence",
                    name,
                )
            )
    return steps


def _create_tables(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    added = [n for n in ctx.b.tables if n not in ctx.a.tables]
    for name in sorted(added, key=lambda n: (_depth(ctx.b, n), n)):
        steps.append(Step(ddl.create_table(ctx.b.tables[name], D, schema=ctx.s), "create table", name))
        for index in plain_indexes(ctx.b.tables[name]).values():
            steps.append(Step(ddl.create_index(index, D, schema=ctx.s), "create index", index.name))
    return steps


def _alter_tables(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name in sorted(ctx.b.tables, key=lambda n: (_depth(ctx.b, n), n)):  # parents first
        tb = ctx.b.tables[name]
        ta = ctx.a.tables.get(name)
        if ta is None:
            continue
        steps.extend(alter_columns(ta, tb, ctx.s, enum_types(ctx.a, ctx.b)))
        a_checks = keyed(ta.checks, D)
        for key, check in keyed(tb.checks, D).items():
            if key not in a_checks or (name, check.name) in ctx.redo_checks:
                body = f"CHECK ({ddl._strip_parens(check.expression)})"
                steps.append(
                    Step(
                        f"ALTER TABLE {ctx.n(name)} ADD CONSTRAINT {q(check.name, D)} {body}",
                        "add check",
                        check.name,
                        [LONG_LOCK, MAY_FAIL],
                    )
                )
        a_excl = keyed(ta.exclusions, D)
        for key, exclusion in keyed(tb.exclusions, D).items():
            if key not in a_excl or (name, exclusion.name) in ctx.redo_checks:
                steps.append(
                    Step(
                        f"ALTER TABLE {ctx.n(name)} ADD CONSTRAINT {q(exclusion.name, D)} {exclusion.definition}",
                        "add exclusion",
                        exclusion.name,
                        [LONG_LOCK, MAY_FAIL],
                    )
                )
        a_keys = {(c.name, c.signature()) for c in [ta.primary_key, *ta.uniques] if c is not None}
        for con in [tb.primary_key, *tb.uniques]:
            if con is None:
                continue
            if (con.name, con.signature()) not in a_keys or (name, con.name) in ctx.dropped_keys:
                steps.append(
                    Step(
                        f"ALTER TABLE {ctx.n(name)} ADD CONSTRAINT {q(con.name, D)} {ddl.key_clause(con, D)}",
                        "add constraint",
                        con.name,
                        [LONG_LOCK, MAY_FAIL],
                    )
                )
        a_idx = plain_indexes(ta)
        for iname, index in plain_indexes(tb).items():
            changed = iname not in a_idx or index_key(a_idx[iname], D) != index_key(index, D)
            if changed or (name, iname) in ctx.redo_indexes:
                steps.append(
                    Step(ddl.create_index(index, D, schema=ctx.s), "create index", iname, [LONG_LOCK])
                )
    return steps


def _drop_sequences_and_types(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name, seq in ctx.a.sequences.items():
        if name not in ctx.b.sequences and not seq.identity:
            steps.append(Step(f"DROP SEQUENCE IF EXISTS {ctx.n(name)}", "drop sequence", name))
    for name in ctx.a.enums:
        if name not in ctx.b.enums:
            steps.append(Step(f"DROP TYPE {ctx.n(name)}", "drop type", name))
        elif name in ctx.rewritten_enums:
            steps.append(Step(f"DROP TYPE {ctx.n(name + OLD_ENUM)}", "drop type", name + OLD_ENUM))
    return steps


def _add_foreign_keys(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name, tb in ctx.b.tables.items():
        for key, fk in keyed(tb.foreign_keys, D).items():
            if (name, key) in ctx.kept_fks:
                continue
            steps.append(
                Step(
                    f"ALTER TABLE {ctx.n(name)} ADD CONSTRAINT {q(fk.name, D)} {ddl.fk_clause(fk, D, ctx.s)}",
                    "add foreign key",
                    fk.name,
                    [LONG_LOCK] if name in ctx.a.tables else [],
                )
            )
    return steps


def _own_sequences(ctx: _Context) -> list[Step]:
    steps: list[Step] = []
    for name, seq in ctx.b.sequences.items():
        old_owner = ctx.a.sequences[name].owned_by if name in ctx.a.sequences else None
        if seq.owned_by and not seq.identity and (seq.owned_by != old_owner or name not in ctx.a.sequences):
            table, column = seq.owned_by.rsplit(".", 1)
            steps.append(
                Step(
                    f"ALTER SEQUENCE {ctx.n(name)} OWNED BY {ctx.n(table)}.{q(column, D)}",
                    "own sequence",
                    name,
                )
            )
    return steps


def _create_views(ctx: _Context) -> list[Step]:
    create = {n for n in ctx.b.views if n not in ctx.a.views or n in ctx.drop_views}
    steps: list[Step] = []
    for name in view_order(ctx.b.views, create):
        view = ctx.b.views[name]
        steps.append(Step(ddl.create_view(view, D, ctx.s), "create view", name))
        steps += [Step(ddl.create_index(i, D, schema=ctx.s), "create index", i.name) for i in view.indexes]
    # indexes of materialized views that stay
    for name, view in ctx.b.views.items():
        old = ctx.a.views.get(name)
        if name in create or old is None:
            continue
        have = {i.name: i for i in old.indexes}
        want = {i.name: i for i in view.indexes}
        for iname, index in have.items():
            if iname not in want or index_key(want[iname], D) != index_key(index, D):
                steps.append(Step(ddl.drop_index(index, D, ctx.s), "drop index", iname))
        for iname, index in want.items():
            if iname not in have or index_key(have[iname], D) != index_key(index, D):
                steps.append(
                    Step(ddl.create_index(index, D, schema=ctx.s), "create index", iname, [LONG_LOCK])
                )
    return steps
