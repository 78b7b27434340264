"""ALTER COLUMN ... SET NOT NULL on an existing table.

It scans the whole table to check for NULLs while holding an ACCESS EXCLUSIVE lock. Add a
``CHECK (col IS NOT NULL) NOT VALID`` constraint, VALIDATE it, and PostgreSQL 12+ then sets NOT NULL
without the scan.

Bad::

    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

Good::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import LintContext, LintFinding, LintRuleInfo, pg_alter_cmds

RULE = LintRuleInfo("setting-not-null", "warning", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast.enums import AlterTableType

    for stmt, table, cmd in pg_alter_cmds(ctx):
        if cmd.subtype == AlterTableType.AT_SetNotNull and not ctx.is_new(table):
            yield ctx.finding(
                RULE,
                stmt,
                f"SET NOT NULL on {table}.{cmd.name} scans the table under an exclusive lock",
                table,
            )
