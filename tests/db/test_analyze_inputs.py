"""analyze on bad input and thin databases: unparseable files, missing extensions, few privileges."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from stanchion.cli.main import main
from stanchion.db.analyze import analyze
from stanchion.errors import EnvironmentProblem, UsageError
from tests.support.servers import PostgresServer

SCHEMA = """
CREATE TABLE author (id bigint PRIMARY KEY, name text);
CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint REFERENCES author (id), title text);
CREATE TABLE log (line text);
"""


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_unparseable_postgres_file_names_line_and_column(tmp_path: Path, pg_server: PostgresServer) -> None:
    bad = tmp_path / "schema.sql"
    bad.write_text(
        "CREATE TABLE a (id bigint PRIMARY KEY);\n\nCREATE TABLE b (id bigint PRIMARY KEY,\n  name tex t);\n"
    )
    with pytest.raises(UsageError) as caught:
        analyze(str(bad), dialect="postgresql", scratch_url=pg_server.url)
    assert f"{bad}:4:" in caught.value.message
    assert "syntax error" in caught.value.message


def test_unparseable_sqlite_file_through_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "schema.sql"
    bad.write_text(
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY\n  name TEXT);\n"
    )
    code, _, err = run_cli(capsys, "db", "analyze", str(bad), "--dialect", "sqlite")
    assert code == 2
    assert f"{bad}:2:1" in err and "syntax error" in err
    assert "Traceback" not in err


def test_missing_pg_stat_statements_skips_only_those_rules(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    result = analyze(pg_url)
    skipped = {s["rule"]: s for s in result.skipped}
    assert set(skipped) == {"slow-queries", "n-plus-one"}
    assert "CREATE EXTENSION pg_stat_statements" in skipped["slow-queries"]["hint"]
    rules = {f.rule for f in result.findings}
    assert {"fk-without-index", "missing-primary-key", "nullable-foreign-key"} <= rules
    assert "fk-without-index" in result.rules_run


def test_insufficient_privileges_is_an_environment_error(pg_url: str, pg_server: PostgresServer) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("DROP ROLE IF EXISTS stanchion_nobody")
        conn.execute("CREATE ROLE stanchion_nobody LOGIN")
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        conn.execute("REVOKE CONNECT ON DATABASE " + pg_url.rsplit("/", 1)[1] + " FROM PUBLIC")
    nobody = pg_url.replace("postgres@", "stanchion_nobody@")
    try:
        with pytest.raises(EnvironmentProblem) as caught:
            analyze(nobody)
        assert "permission denied" in caught.value.message
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("DROP OWNED BY stanchion_nobody CASCADE")
            conn.execute("DROP ROLE stanchion_nobody")


def test_scratch_creation_without_createdb(tmp_path: Path, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS stanchion_nocreate")
        conn.execute("CREATE ROLE stanchion_nocreate LOGIN NOCREATEDB")
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA)
    try:
        with pytest.raises(EnvironmentProblem) as caught:
            analyze(str(schema), scratch_url=pg_url.replace("postgres@", "stanchion_nocreate@"))
        assert "cannot create a scratch database" in caught.value.message
        assert caught.value.hint and "CREATEDB" in caught.value.hint
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("DROP ROLE stanchion_nocreate")


def test_cli_json_and_exit_code(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute("CREATE UNIQUE INDEX book_title ON book (title)")
        conn.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'book_title'::regclass")
    code, out, err = run_cli(capsys, "db", "analyze", "--database-url", pg_url, "--json")
    assert code == 1, err
    document = json.loads(out)
    assert document["counts"]["error"] == 1
    assert document["catalog_queries"] == 9
    finding = next(f for f in document["findings"] if f["rule"] == "invalid-index")
    assert finding["fix"].startswith("REINDEX INDEX CONCURRENTLY")
    code, out, _ = run_cli(capsys, "db", "analyze", "--database-url", pg_url, "--fail-on", "never")
    assert code == 0
    assert "invalid-index" in out


def test_missing_sqlite_database_is_not_created(tmp_path: Path) -> None:
    target = tmp_path / "absent.db"
    with pytest.raises(UsageError) as caught:
        analyze(f"sqlite:///{target}")
    assert "no SQLite database" in caught.value.message
    assert not target.exists()


def test_schema_file_with_database_url_as_scratch_server(
    tmp_path: Path, pg_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA)
    code, out, _ = run_cli(capsys, "db", "analyze", str(schema), "--database-url", pg_server.url, "--json")
    assert code == 0
    document = json.loads(out)
    assert document["source"] == str(schema) and document["dialect"] == "postgresql"
    assert {f["rule"] for f in document["findings"]} >= {"missing-primary-key", "fk-without-index"}
