"""A foreign key or check constraint added NOT VALID and never validated.

NOT VALID is the safe first half of adding a constraint; until VALIDATE CONSTRAINT runs, existing rows may
break it and the planner cannot rely on it.

Bad::

    CREATE TABLE author (id bigint PRIMARY KEY);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint);
    CREATE INDEX book_author_id ON book (author_id);
    ALTER TABLE book ADD CONSTRAINT book_author_fk FOREIGN KEY (author_id) REFERENCES author (id) NOT VALID;

Good::

    CREATE TABLE author (id bigint PRIMARY KEY);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint);
    CREATE INDEX book_author_id ON book (author_id);
    ALTER TABLE book ADD CONSTRAINT book_author_fk FOREIGN KEY (author_id) REFERENCES author (id) NOT VALID;
    ALTER TABLE book VALIDATE CONSTRAINT book_author_fk;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.schema.ddl import ident
from stanchion.db.schema.model import Check, ForeignKey

RULE = RuleInfo("not-valid-constraint", "warning", ("postgresql",))


def check(ctx: Context) -> Iterator[Finding]:
    for table in ctx.schema.tables.values():
        constraints: list[ForeignKey | Check] = [*table.foreign_keys, *table.checks]
        for con in constraints:
            if not con.validated:
                t, c = ident(table.name, ctx.dialect), ident(con.name, ctx.dialect)
                yield Finding(
                    RULE.id,
                    RULE.severity,
                    [table.name, con.name],
                    f"constraint {con.name} on {table.name} is NOT VALID: existing rows were never checked",
                    f"ALTER TABLE {t} VALIDATE CONSTRAINT {c};",
                )
