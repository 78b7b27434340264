"""ADD COLUMN on an existing table with an inline REFERENCES, UNIQUE or PRIMARY KEY, or of a serial type.

The column itself is instant, but what comes with it is not: an inline foreign key is validated at once
(a scan, and a lock on the referenced table too), UNIQUE and PRIMARY KEY build their index while the
ACCESS EXCLUSIVE lock of the ALTER is held, and a serial column fills every existing row from its
sequence, rewriting the table. Add the bare column, then the foreign key NOT VALID and VALIDATE it later,
or build the unique index CONCURRENTLY and attach it with ``USING INDEX``; use an identity column added
to an empty table, or backfill a plain bigint in batches.

Bad::

    ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customer (id);
    ALTER TABLE account ADD COLUMN handle text UNIQUE;
    ALTER TABLE event ADD COLUMN id bigserial PRIMARY KEY;

Good::

    ALTER TABLE orders ADD COLUMN customer_id bigint;
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id) NOT VALID;
    CREATE TABLE account (id bigint PRIMARY KEY);
    ALTER TABLE account ADD COLUMN handle text UNIQUE;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.lint.base import (
    SERIAL_TYPES,
    LintContext,
    LintFinding,
    LintRuleInfo,
    pg_column_defs,
    pg_type_name,
)

RULE = LintRuleInfo("adding-column-with-constraint", "error", size_sensitive=True)


def check(ctx: LintContext) -> Iterator[LintFinding]:
    from pglast import ast
    from pglast.enums import ConstrType

    what = {
        ConstrType.CONSTR_FOREIGN: "an inline REFERENCES validates at once and locks the referenced table",
        ConstrType.CONSTR_UNIQUE: "an inline UNIQUE builds its index under the exclusive lock",
        ConstrType.CONSTR_PRIMARY: "an inline PRIMARY KEY builds its index under the exclusive lock",
    }
    for stmt, table, column in pg_column_defs(ctx):
        if not isinstance(stmt.node, ast.AlterTableStmt) or ctx.is_new(table, stmt):
            continue
        reasons = [what[c.contype] for c in column.constraints or () if c.contype in what]
        if pg_type_name(column) in SERIAL_TYPES:
            reasons.insert(0, "a serial type fills every row from its sequence, rewriting the table")
        if reasons:
            yield ctx.finding(RULE, stmt, f"adding {table}.{column.colname}: {'; '.join(reasons)}", table)
