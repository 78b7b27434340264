"""`stanchion db analyze` on a 1,000-table PostgreSQL schema beside SQLAlchemy reflection, the catalog
reader most Python tools use (whole-schema `MetaData.reflect`, and per-table `Inspector` calls, the
round-trip-per-table pattern). Target: analyze under 2 s with a fixed number of catalog queries.

Run: .venv/bin/python benchmarks/db_analyze.py [--tables 1000] [--runs 5]
PgHero (Ruby) is not installable from the registries this project uses, so it is not run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.servers import PostgresServer


def schema_sql(tables: int, variant: int = 0) -> str:
    """``tables`` tables in a chain of foreign keys, each with two indexes and a view every 50 tables."""
    out = []
    for n in range(tables):
        extra = f", extra_{variant} text" if variant and n % 10 == 0 else ""
        ref = f", parent_id bigint REFERENCES t{n - 1} (id)" if n else ""
        out.append(
            f"CREATE TABLE t{n} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,"
            f" created_at timestamptz DEFAULT now(), amount numeric(12,2) CHECK (amount >= 0){ref}{extra});"
        )
        out.append(f"CREATE INDEX t{n}_name ON t{n} (name);")
        cols = "created_at, name" if variant and n % 20 == 0 else "created_at"
        out.append(f"CREATE INDEX t{n}_created ON t{n} ({cols});")
        if n % 50 == 0:
            out.append(f"CREATE VIEW v{n} AS SELECT id, name FROM t{n} WHERE amount > 0;")
    return "\n".join(out)


def create(server: PostgresServer, name: str, sql: str) -> str:
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.url_for(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)
        conn.execute("ANALYZE")
    return url


def median_s(func: Callable[[], object], runs: int) -> float:
    func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import sqlalchemy
    from sqlalchemy import event

    from stanchion.db.analyze import analyze
    from stanchion.db.url import parse_url

    server = PostgresServer().start()
    try:
        url = create(server, "bench_analyze", schema_sql(args.tables))
        engine = sqlalchemy.create_engine(parse_url(url).sqlalchemy_url)
        queries: list[str] = []

        def run_analyze() -> None:
            result = analyze(url, fail_on="never")
            assert result.tables == args.tables

        def reflect_all() -> None:
            meta = sqlalchemy.MetaData()
            meta.reflect(engine)
            assert len(meta.tables) == args.tables

        def per_table() -> None:
            inspector = sqlalchemy.inspect(engine)
            for name in inspector.get_table_names():
                inspector.get_columns(name)
                inspector.get_pk_constraint(name)
                inspector.get_foreign_keys(name)
                inspector.get_indexes(name)
                inspector.get_check_constraints(name)

        with engine.connect() as conn:
            event.listen(conn, "before_cursor_execute", lambda *a: queries.append(a[2]))
            from stanchion.db.schema.introspect import introspect

            introspect(conn)
        ours = median_s(run_analyze, args.runs)
        rows = [
            ("stanchion db analyze (introspect + 13 rules)", ours),
            ("SQLAlchemy MetaData.reflect (bulk)", median_s(reflect_all, args.runs)),
            ("SQLAlchemy Inspector, per table", median_s(per_table, max(1, args.runs // 2))),
        ]
        print(f"{args.tables} tables; stanchion introspection: {len(queries)} queries")
        print("| run | median s | peer / stanchion |")
        print("|---|---:|---:|")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.3f} | {seconds / ours:.2f} |")
        print(f"target: analyze under 2 s -> {'met' if ours < 2 else 'NOT met'} ({ours:.3f} s)")
        engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
