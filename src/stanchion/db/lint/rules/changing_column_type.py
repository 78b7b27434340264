"""Changing a column's type on an existing table in a way that rewrites it: to a narrower varchar(n), to
timestamp without time zone, to another type family, or with a USING expression.

Such a change rewrites the table and every index on it under an ACCESS EXCLUSIVE lock (MySQL copies the
table). Add a new column, backfill it in batches, and switch readers over instead. Changes PostgreSQL
makes in the catalog alone are not flagged when the column's earlier type is known (from an earlier
statement of the migration or, with ``--database-url``, the live database): varchar(n) to a wider
varchar or to text, numeric(p, s) to a larger precision at the same scale, a higher timestamp precision,
cidr to inet. Without a known earlier type the change is assumed to rewrite.

Bad::

    ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
    ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp;
    -- dialect: mysql
    ALTER TABLE orders MODIFY total decimal(12, 2);

Good::

    ALTER TABLE orders ADD COLUMN total_v2 numeric(12, 2);
    ALTER TABLE orders ADD COLUMN note varchar(200);
    ALTER TABLE orders ALTER COLUMN note TYPE varchar(400);
    -- dialect: mysql
    ALTER TABLE orders ADD COLUMN total_v2 decimal(12, 2);
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, glot_alter_actions, pg_alter_cmds
from stanchion.db.lint.facts import TypeKey, pg_type_key

RULE = LintRuleInfo("changing-column-type", "error", ("postgresql", "mysql"), size_sensitive=True)

_LENGTH = {"varchar", "varbit"}
_PRECISION = {"timestamp", "timestamptz", "time", "timetz", "interval"}


def rewrite_reason(old: TypeKey | None, new: TypeKey, using: bool) -> str | None:
    """Why changing a column from ``old`` to ``new`` rewrites the table, or None when it does not."""
    if using:
        return "a USING expression recomputes every row"
    if old is None:
        return "most type changes rewrite it (its type before this statement is unknown)"
    if old == new:
        return None
    if old.array != new.array:
        return "an array and a scalar differ in storage"
    if new.base == "timestamp" and old.base != "timestamp":
        return "to timestamp without time zone every value is converted (and loses its zone)"
    if old.base == new.base:
        if old.base in _LENGTH | _PRECISION:
            if not new.mods or (old.mods and new.mods[0] >= old.mods[0]):
                return None
            return f"to a narrower {new}: every row is checked and rewritten"
        if old.base == "numeric":
            if not new.mods or (
                len(old.mods) == len(new.mods) and old.mods[1:] == new.mods[1:] and new.mods[0] >= old.mods[0]
            ):
                return None
            return f"numeric to {new} changes the scale or narrows the precision"
        return f"{old} to {new} changes the stored length"
    if old.base in ("varchar", "text") and new.base == "text":
        return None
    if old.base == "text" and new.base == "varchar":
        return None if not new.mods else f"to a narrower {new}: every row is checked and rewritten"
    if (old.base, new.base) == ("cidr", "inet"):
        return None
    if (old.base, new.base) == ("timestamp", "timestamptz"):
        return "timestamp to timestamptz rewrites unless the session time zone is UTC (PostgreSQL 12+)"
    return f"{old} to {new} converts every value"


def check(ctx: LintContext) -> Iterator[LintFinding]:
    if ctx.dialect == "postgresql":
        from pglast.enums import AlterTableType

        for stmt, table, cmd in pg_alter_cmds(ctx):
            if cmd.subtype != AlterTableType.AT_AlterColumnType or ctx.is_new(table, stmt):
                continue
            old = ctx.column_type(table, str(cmd.name), stmt)
            new = pg_type_key(cmd.def_.typeName)
            reason = rewrite_reason(old, new, cmd.def_.raw_default is not None)
            if reason is None:
                continue
            note = None
            if old is None:
                note = "pass --database-url (or create the column earlier in the file) to know its type"
            yield ctx.finding(
                RULE,
                stmt,
                f"changing the type of {table}.{cmd.name} rewrites the table under lock: {reason}",
                table,
                note,
            )
        return
    from sqlglot import exp

    for stmt, table, action in glot_alter_actions(ctx):
        changes = isinstance(action, exp.ModifyColumn) or (
            isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None
        )
        if changes and not ctx.is_new(table, stmt):
            yield ctx.finding(RULE, stmt, f"changing a column type on {table} copies the whole table", table)
