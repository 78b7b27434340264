"""Compare two schema models and plan the SQL that turns one into the other, in dependency order.

``plan_steps(a, b)`` is the up plan; the down plan is ``plan_steps(b, a)``. Each step names the hazards it
carries (data loss, table rewrite, long lock) so a reviewer sees them before running it. PostgreSQL alters in
place (``postgresql``, one function per object kind; column changes in ``pg_columns``); SQLite, which cannot
alter columns or constraints, rebuilds the table (``sqlite``: create, copy, drop, rename). Both import the
step, the hazards and the helpers over the model from ``steps``.
"""

from __future__ import annotations

from stanchion.db.schema.diff.steps import DATA_LOSS, LONG_LOCK, MAY_FAIL, REWRITE, Step
from stanchion.db.schema.model import Schema
from stanchion.errors import UsageError

__all__ = ["DATA_LOSS", "LONG_LOCK", "MAY_FAIL", "REWRITE", "Step", "plan_steps"]


def plan_steps(a: Schema, b: Schema) -> list[Step]:
    """The statements that turn ``a`` into ``b``."""
    if a.dialect != b.dialect:
        raise UsageError(
            f"cannot diff a {a.dialect} schema against a {b.dialect} schema", "compare schemas of one dialect"
        )
    if a.dialect == "postgresql":
        from stanchion.db.schema.diff.postgresql import plan_postgresql

        return plan_postgresql(a, b)
    if a.dialect == "sqlite":
        from stanchion.db.schema.diff.sqlite import plan_sqlite

        return plan_sqlite(a, b)
    raise UsageError(
        "schema diff supports PostgreSQL and SQLite", "for MySQL, compare with `stanchion db analyze --json`"
    )
