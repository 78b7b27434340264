"""suggest-indexes on a schema file without query history: one index per unindexed foreign key."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanchion.cli.main import main
from stanchion.db.advise import suggest_indexes

SQLITE_SCHEMA = """\
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id),
                     placed_by INTEGER REFERENCES customers (id));
CREATE INDEX orders_placed_by_created_idx ON orders (placed_by, id);
"""


def test_structural_advice_for_a_sqlite_schema_file(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(SQLITE_SCHEMA)
    result = suggest_indexes(str(schema), output=tmp_path / "migrations")
    assert [(s.table, s.columns) for s in result.suggestions] == [("orders", ["customer_id"])]
    assert result.suggestions[0].reason and "customers" in result.suggestions[0].reason
    assert result.file is not None
    text = Path(result.file).read_text()
    assert "-- migrate:up\nCREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);" in text
    assert "transaction:false" not in text

    database = tmp_path / "app.db"
    import sqlite3

    with sqlite3.connect(database) as conn:
        conn.executescript(SQLITE_SCHEMA)
    code = main(
        ["db", "migrate", "--dir", str(tmp_path / "migrations"), "--database-url", f"sqlite:///{database}"]
    )
    assert code == 0
    with sqlite3.connect(database) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "orders_customer_id_idx" in names


@pytest.mark.postgres
def test_structural_advice_for_a_postgres_schema_file_is_concurrent(tmp_path: Path, pg_url: str) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\n"
    )
    result = suggest_indexes(str(schema), output=tmp_path / "m", scratch_url=pg_url)
    assert [s.create_sql() for s in result.suggestions] == [
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id)"
    ]
    assert result.file is not None and "-- migrate:up transaction:false" in Path(result.file).read_text()


def test_nothing_to_suggest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n")
    assert main(["db", "suggest-indexes", str(schema)]) == 0
    assert "every foreign key already has an index" in capsys.readouterr().out
