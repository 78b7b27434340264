"""db lint with --database-url: function volatility from pg_proc, constraints and column types of the live
schema, and the server's version decide what a statement does."""

from __future__ import annotations

from pathlib import Path

import psycopg

from stanchion.db.lint import lint, lint_text
from stanchion.db.lint.live import live_facts


def _setup(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, code varchar(50))")
        conn.execute("INSERT INTO orders SELECT g, g, 'c' FROM generate_series(1, 50) g")
        conn.execute("ALTER TABLE orders ADD CONSTRAINT orders_customer_nn CHECK (customer_id IS NOT NULL)")
        conn.execute("ALTER TABLE orders ADD CONSTRAINT orders_code_nn CHECK (code IS NOT NULL) NOT VALID")
        conn.execute("CREATE FUNCTION next_ticket() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT 1'")
        conn.execute(
            "CREATE FUNCTION default_region() RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''eu'''"
        )


def _rules(url: str | None, tmp_path: Path, sql: str) -> list[str]:
    migration = tmp_path / "m.sql"
    migration.write_text("SET lock_timeout = '1s';\n" + sql)
    return [f.rule for f in lint([migration], database_url=url).findings]


def test_user_function_volatility_comes_from_pg_proc(pg_url: str, tmp_path: Path) -> None:
    _setup(pg_url)
    volatile = "ALTER TABLE orders ADD COLUMN ticket bigint DEFAULT next_ticket();\n"
    immutable = "ALTER TABLE orders ADD COLUMN region text DEFAULT default_region();\n"
    assert "adding-volatile-default" in _rules(None, tmp_path, immutable)  # offline: assumed volatile
    assert "adding-volatile-default" in _rules(pg_url, tmp_path, volatile)
    assert "adding-volatile-default" not in _rules(pg_url, tmp_path, immutable)


def test_set_not_null_with_a_live_validated_check(pg_url: str, tmp_path: Path) -> None:
    _setup(pg_url)
    validated = "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n"
    not_valid = "ALTER TABLE orders ALTER COLUMN code SET NOT NULL;\n"
    assert "setting-not-null" in _rules(None, tmp_path, validated)
    assert "setting-not-null" not in _rules(pg_url, tmp_path, validated)
    assert "setting-not-null" in _rules(pg_url, tmp_path, not_valid)
    validate_then_set = (
        "-- migrate:up transaction:false\nALTER TABLE orders VALIDATE CONSTRAINT orders_code_nn;\n"
        "ALTER TABLE orders ALTER COLUMN code SET NOT NULL;\n"
    )
    migration = tmp_path / "v.sql"
    migration.write_text(validate_then_set)
    assert "setting-not-null" not in {f.rule for f in lint([migration], database_url=pg_url).findings}


def test_column_type_change_against_the_live_type(pg_url: str, tmp_path: Path) -> None:
    _setup(pg_url)
    wider = "ALTER TABLE orders ALTER COLUMN code TYPE varchar(100);\n"
    narrower = "ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);\n"
    assert "changing-column-type" in _rules(None, tmp_path, wider)  # the old type is unknown offline
    assert "changing-column-type" not in _rules(pg_url, tmp_path, wider)
    assert "changing-column-type" in _rules(pg_url, tmp_path, narrower)


def test_server_version_decides_version_dependent_rules(pg_url: str) -> None:
    """The live facts of a real server, with the version then set to older releases' numbers (only
    PostgreSQL 15 runs here): what is safe since 11 and 12 is flagged before them."""
    _setup(pg_url)
    facts = live_facts(pg_url)
    assert facts.major == 15
    constant_default = "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';"
    set_not_null = "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;"
    reindex = "REINDEX INDEX orders_pkey;"

    def rules(sql: str) -> dict[str, str]:
        return {f.rule: f.message for f in lint_text(sql, live=facts)[0]}

    assert "adding-volatile-default" not in rules(constant_default)
    assert "setting-not-null" not in rules(set_not_null)
    assert "use CONCURRENTLY" in rules(reindex)["require-concurrent-reindex"]
    facts.major = 11
    assert "setting-not-null" in rules(set_not_null)
    assert "has no CONCURRENTLY" in rules(reindex)["require-concurrent-reindex"]
    facts.major = 10
    assert "before PostgreSQL 11" in rules(constant_default)["adding-volatile-default"]


def test_reindex_of_a_live_index_takes_its_tables_size(pg_url: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE quiet (id bigint PRIMARY KEY)")
    migration = tmp_path / "m.sql"
    migration.write_text("REINDEX INDEX quiet_pkey;\n")
    (hit,) = [
        f for f in lint([migration], database_url=pg_url).findings if f.rule == "require-concurrent-reindex"
    ]
    assert hit.table == "quiet" and hit.severity == "info"


def test_index_that_already_exists_live(pg_url: str, tmp_path: Path) -> None:
    _setup(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE INDEX orders_customer ON orders (customer_id)")
        conn.execute("CREATE INDEX orders_code_partial ON orders (code) WHERE code <> ''")
    migration = tmp_path / "m.sql"
    migration.write_text(
        "-- migrate:up transaction:false\n"
        "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);\n"
        "CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id);\n"
        "CREATE INDEX CONCURRENTLY orders_code_idx ON orders (code);\n"
        "CREATE UNIQUE INDEX CONCURRENTLY orders_customer_key ON orders (customer_id);\n"
    )
    found = {
        f.line: f.message
        for f in lint([migration], database_url=pg_url).findings
        if f.rule == "index-already-exists"
    }
    assert sorted(found) == [
        2,
        3,
    ]  # a partial live index and a unique one over a plain one are not duplicates
    assert "the live index orders_customer" in found[2] and "orders_pkey" in found[3]
    assert not [f for f in lint([migration]).findings if f.rule == "index-already-exists"]
