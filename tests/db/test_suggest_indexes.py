"""suggest-indexes on a seeded 1,000,000-row table: it proposes the index for a slow query, and after applying
the written migration the query runs on that index and touches at least ten times fewer pages.

Pages touched (EXPLAIN's shared buffer hits and reads) and the planner's estimated cost depend on the data, not on
how fast the machine is, so the proof holds on a loaded machine too; wall-clock execution time would not."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from stanchion.cli.main import main
from stanchion.db.advise import suggest_indexes
from stanchion.errors import EnvironmentProblem

QUERY = "SELECT id, status FROM orders WHERE customer_id = 4242 ORDER BY created_at DESC"


def _plan(conn: psycopg.Connection, query: str) -> dict[str, object]:
    rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) {query}").fetchone()
    assert rows is not None
    plan: dict[str, object] = rows[0][0]["Plan"]
    return plan


def _pages(plan: dict[str, object]) -> int:
    return int(str(plan["Shared Hit Blocks"])) + int(str(plan["Shared Read Blocks"]))


def _index_names(plan: dict[str, object]) -> set[str]:
    names = {str(plan["Index Name"])} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):  # type: ignore[attr-defined]
        names |= _index_names(child)
    return names


def _statements(migration: str) -> list[str]:
    up = migration.split("-- migrate:down")[0].split("\n", 1)[1]
    return [s.strip() for s in up.split(";") if s.strip()]


def test_million_rows_index_makes_query_touch_ten_times_fewer_pages(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements")
        conn.execute("CREATE EXTENSION hypopg")
        conn.execute(
            "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id integer NOT NULL,"
            " status text NOT NULL, created_at timestamptz NOT NULL)"
        )
        conn.execute(
            "INSERT INTO orders (customer_id, status, created_at) SELECT g % 50000, "
            "(ARRAY['new', 'paid', 'shipped'])[g % 3 + 1], now() - g * interval '1 second' "
            "FROM generate_series(1, 1000000) g"
        )
        conn.execute("ANALYZE orders")
        conn.execute("SELECT pg_stat_statements_reset()")
        for _ in range(3):
            conn.execute(QUERY).fetchall()
        before = _plan(conn, QUERY)
        assert not _index_names(before)

    out_dir = tmp_path / "migrations"
    code = main(["db", "suggest-indexes", "--database-url", pg_url, "--output", str(out_dir), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    suggestion = document["suggestions"][0]
    assert suggestion["table"] == "orders" and suggestion["columns"][0] == "customer_id"
    assert suggestion["queries"][0]["ratio"] >= 2
    migration = Path(document["file"]).read_text()
    assert migration.startswith("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY")
    assert "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY" in migration

    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in _statements(migration):
            conn.execute(statement)
        after = _plan(conn, QUERY)
    created = _statements(migration)[0].removeprefix("CREATE INDEX CONCURRENTLY IF NOT EXISTS").split()
    index_name = created[0]
    assert index_name.split(".")[-1].strip('"') in _index_names(after), (migration, after)
    assert _pages(before) >= 10 * _pages(after), (_pages(before), _pages(after))
    assert float(str(before["Total Cost"])) >= 10 * float(str(after["Total Cost"]))


def test_queries_file_and_no_gain(pg_url: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION hypopg")
        conn.execute("CREATE TABLE tiny (id bigint PRIMARY KEY, v integer)")
        conn.execute("CREATE TABLE big (id bigint PRIMARY KEY, v integer, w text)")
        conn.execute("INSERT INTO big SELECT g, g % 1000, 'x' FROM generate_series(1, 100000) g")
        conn.execute("ANALYZE big")
    queries = tmp_path / "slow.sql"
    queries.write_text(
        "SELECT * FROM big WHERE v = $1;\nSELECT * FROM tiny WHERE id = 1;\nSELECT * FROM nope;\n"
    )
    result = suggest_indexes(pg_url, queries_file=queries)
    assert [(s.table, s.columns) for s in result.suggestions] == [("big", ["v"])]
    assert result.examined == 3
    assert result.skipped and "nope" in result.skipped[0]["reason"]


def test_missing_hypopg_and_pg_stat_statements(pg_url: str, tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem) as caught:
        suggest_indexes(pg_url)
    assert (
        "HypoPG" in caught.value.message
        and caught.value.hint
        and "CREATE EXTENSION hypopg" in caught.value.hint
    )
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION hypopg")
    with pytest.raises(EnvironmentProblem) as caught:
        suggest_indexes(pg_url)
    assert "pg_stat_statements" in caught.value.message


def test_schema_file_without_queries_gets_structural_advice_only(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id bigint PRIMARY KEY);\n")
    result = suggest_indexes(str(schema))
    assert result.examined == 0 and result.suggestions == []
