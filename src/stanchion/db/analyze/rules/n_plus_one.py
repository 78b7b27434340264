"""An N+1 suspect: a cheap single-row lookup called very many times for each call of a related query.

Loading a list and then each row's parent (or children) one query at a time costs a round trip per row.
One join or one ``WHERE id = ANY(...)`` query does the same work. Found from pg_stat_statements: a lookup
on a table that a foreign key links to the table of another query, called at least 20 times per call of
it.

Bad::

    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    CREATE TABLE author (id bigint PRIMARY KEY, name text);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES author (id));
    INSERT INTO author SELECT g, 'a' || g FROM generate_series(1, 600) g;
    INSERT INTO book SELECT g, g FROM generate_series(1, 600) g;
    DO $$ DECLARE r record; BEGIN
      FOR r IN SELECT id, author_id FROM book LOOP
        PERFORM name FROM author WHERE id = r.author_id;
      END LOOP;
    END $$;

Good::

    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    CREATE TABLE author (id bigint PRIMARY KEY, name text);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES author (id));
    INSERT INTO author SELECT g, 'a' || g FROM generate_series(1, 600) g;
    INSERT INTO book SELECT g, g FROM generate_series(1, 600) g;
    SELECT b.id, a.name FROM book b JOIN author a ON a.id = b.author_id;
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.db.analyze.base import Context, Finding, RuleInfo
from stanchion.db.analyze.rules._statements import single_row_lookup, statements, tables_read

RULE = RuleInfo("n-plus-one", "warning", ("postgresql",), ("pg_stat_statements",))


def check(ctx: Context) -> Iterator[Finding]:
    t = ctx.thresholds
    stmts = statements(ctx)
    related: dict[str, set[str]] = {}
    for model in ctx.schema.tables.values():
        for fk in model.foreign_keys:
            related.setdefault(model.name, set()).add(fk.ref_table)
            related.setdefault(fk.ref_table, set()).add(model.name)
    for child in stmts:
        if child.calls < t.n_plus_one_min_calls or child.mean_ms > t.n_plus_one_max_mean_ms:
            continue
        table = single_row_lookup(child.query)
        if table is None:
            continue
        for parent in stmts:
            if parent is child or child.calls < t.n_plus_one_ratio * parent.calls:
                continue
            if not parent.query.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if tables_read(parent.query) & related.get(table, set()):
                yield Finding(
                    RULE.id,
                    RULE.severity,
                    [table, f"queryid:{child.queryid}", f"queryid:{parent.queryid}"],
                    f"{child.calls} calls of `{child.short}` against {parent.calls} of `{parent.short}`",
                    "-- load the rows in one query: a JOIN, or WHERE id = ANY($1) with the collected ids",
                )
                break
