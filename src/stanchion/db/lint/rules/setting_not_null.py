"""ALTER COLUMN ... SET NOT NULL on an existing table, unless a validated CHECK (col IS NOT NULL) proves it.

It scans the whole table to check for NULLs while holding an ACCESS EXCLUSIVE lock. Add a
``CHECK (col IS NOT NULL) NOT VALID`` constraint, VALIDATE it (in a later migration, or one that runs
without a transaction), and PostgreSQL 12+ then sets NOT NULL without the scan; the rule knows such a
check from an earlier statement of the migration or, with ``--database-url``, from the live database.

Bad::

    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

Good::

    -- migrate:up transaction:false
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;
    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
    -- migrate:down
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_alter_cmds

RULE = LintRuleInfo("setting-not-null", "warning", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast.enums import AlterTableType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        if cmd.subtype != AlterTableType.AT_SetNotNull or ctx.is_new(table, stmt):
            continue
        if ctx.pg_major >= 12 and ctx.not_null_proven(table, str(cmd.name), stmt):
            continue
        live = ctx.live_table(table)
        found = live.column(str(cmd.name)) if live is not None else None
        if found is not None and not found.nullable:
            continue  # already NOT NULL: a no-op
        yield ctx.finding(
            RULE,
            stmt,
            f"SET NOT NULL on {table}.{cmd.name} scans the table under an exclusive lock",
            table,
        )
