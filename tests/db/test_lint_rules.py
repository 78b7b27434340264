"""Every lint rule fires on its docstring's bad example and not on its good one; suppressions, live
table sizes, formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from stanchion.cli.main import main
from stanchion.db.analyze.registry import examples, parse_doc
from stanchion.db.lint import all_rules, lint, lint_text

CASES = [
    pytest.param(module.RULE.id, block, dialect, sql, id=f"{module.RULE.id}-{dialect}-{block}")
    for module in all_rules()
    for block in ("bad", "good")
    for dialect, sql in examples(parse_doc(module.__doc__, module.RULE.id), block).items()
]


@pytest.mark.parametrize(("rule", "block", "dialect", "sql"), CASES)
def test_rule_example(rule: str, block: str, dialect: str, sql: str) -> None:
    findings, _ = lint_text(sql, dialect=dialect)
    hits = [f for f in findings if f.rule == rule]
    if block == "bad":
        assert hits, f"{rule} did not fire on its bad example"
        assert all(f.line >= 1 and f.message for f in hits)
    else:
        assert not hits, [f.message for f in hits]


def test_squawk_set_is_covered() -> None:
    ids = {m.RULE.id for m in all_rules()}
    assert {
        "require-concurrent-index-creation",
        "require-concurrent-index-deletion",
        "constraint-missing-not-valid",
        "adding-volatile-default",
        "setting-not-null",
        "changing-column-type",
        "constraint-without-using-index",
        "ban-drop-column",
        "ban-drop-table",
        "renaming-column",
        "renaming-table",
        "prefer-bigint-over-int",
        "prefer-identity",
        "prefer-text-field",
        "prefer-timestamptz",
        "require-lock-timeout",
        "transaction-nesting",
        "fk-without-index",
    } <= ids


def test_new_table_in_same_migration_is_fine() -> None:
    sql = "CREATE TABLE t (id bigint PRIMARY KEY, v text);\nCREATE INDEX t_v ON t (v);\nALTER TABLE t ALTER COLUMN v SET NOT NULL;"
    findings, _ = lint_text(sql)
    assert not {f.rule for f in findings} & {"require-concurrent-index-creation", "setting-not-null"}


def test_dbmate_sections_and_positions(tmp_path: Path) -> None:
    path = tmp_path / "20240101000000_idx.sql"
    path.write_text(
        "-- migrate:up\nSET lock_timeout = '1s';\n\nCREATE INDEX orders_customer ON orders (customer_id);\n\n"
        "-- migrate:down\nDROP INDEX orders_customer;\n"
    )
    result = lint([tmp_path])
    assert [(f.rule, f.line, f.column) for f in result.findings] == [
        ("require-concurrent-index-creation", 4, 1)
    ]
    assert result.exit_code == 1


def test_concurrent_index_in_no_transaction_file_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "20240101000000_idx.sql"
    path.write_text(
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);\n"
        "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY orders_customer;\n"
    )
    result = lint([path])
    assert result.findings == []
    assert result.exit_code == 0


def test_suppression_needs_a_reason() -> None:
    with_reason = "-- stanchion:ignore ban-drop-table -- archived in 2023\nDROP TABLE audit;"
    findings, suppressed = lint_text(with_reason)
    assert "ban-drop-table" not in {f.rule for f in findings}
    assert suppressed[0]["reason"] == "archived in 2023"
    findings, suppressed = lint_text("-- stanchion:ignore ban-drop-table\nDROP TABLE audit;")
    assert {"ban-drop-table", "suppression-without-reason"} <= {f.rule for f in findings}
    assert suppressed == []


def test_suppression_applies_to_the_next_statement_only() -> None:
    sql = "-- stanchion:ignore ban-drop-table -- gone\nDROP TABLE a;\nDROP TABLE b;"
    findings, _ = lint_text(sql)
    assert [(f.rule, f.line) for f in findings if f.rule == "ban-drop-table"] == [("ban-drop-table", 3)]


def test_live_table_size_sets_severity(pg_url: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for name in ("empty_t", "small_t", "large_t"):
            conn.execute(f"CREATE TABLE {name} (id bigint PRIMARY KEY, v integer)")
        conn.execute("INSERT INTO small_t SELECT g, g FROM generate_series(1, 1000) g")
        conn.execute("INSERT INTO large_t SELECT g, g FROM generate_series(1, 20000) g")
        conn.execute("ANALYZE small_t")
        conn.execute("ANALYZE large_t")
    migration = tmp_path / "m.sql"
    migration.write_text(
        "SET lock_timeout = '1s';\n"
        + "".join(f"ALTER TABLE {t} ALTER COLUMN v TYPE text;\n" for t in ("empty_t", "small_t", "large_t"))
    )
    result = lint([migration], database_url=pg_url)
    by_table = {f.table: f for f in result.findings if f.rule == "changing-column-type"}
    assert by_table["empty_t"].severity == "info" and "empty" in (by_table["empty_t"].note or "")
    assert by_table["small_t"].severity == "warning" and "~1000 rows" in (by_table["small_t"].note or "")
    assert by_table["large_t"].severity == "error" and "~20000 rows" in (by_table["large_t"].note or "")
    assert "1 index" in (by_table["large_t"].note or "")
    assert result.exit_code == 1
    offline = lint([migration])
    assert all(f.severity == "error" for f in offline.findings if f.rule == "changing-column-type")


def test_fk_index_found_in_live_schema(pg_url: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE author (id bigint PRIMARY KEY)")
        conn.execute("CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint)")
        conn.execute("CREATE INDEX book_author ON book (author_id)")
    migration = tmp_path / "m.sql"
    migration.write_text(
        "ALTER TABLE book ADD CONSTRAINT book_author_fk FOREIGN KEY (author_id) REFERENCES author (id) NOT VALID;"
    )
    assert "fk-without-index" in {f.rule for f in lint([migration]).findings}
    assert "fk-without-index" not in {f.rule for f in lint([migration], database_url=pg_url).findings}


def test_unparseable_statement_is_a_finding_and_the_rest_is_linted(tmp_path: Path) -> None:
    migration = tmp_path / "m.sql"
    migration.write_text("SELECT 1;\nALTER TABLE t ADD COLUMN;\nDROP TABLE audit;\n")
    result = lint([migration])
    assert [(f.rule, f.line) for f in result.findings if f.rule in ("syntax-error", "ban-drop-table")] == [
        ("syntax-error", 2),
        ("ban-drop-table", 3),
    ]
    assert result.exit_code == 1


def test_mysql_inline_index_in_postgresql_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed SQL written for MySQL: PostgreSQL parses INDEX name (col) as a column of type name, and the
    statement fails only when applied; lint names file and line before that."""
    seed = tmp_path / "seed.sql"
    seed.write_text(
        "CREATE TABLE account (\n  id bigint PRIMARY KEY,\n  email text,\n  INDEX account_email (email)\n);\n"
        "CREATE TABLE team (id bigint PRIMARY KEY, name text, UNIQUE KEY team_name (name));\n"
    )
    assert main(["db", "lint", str(seed), "--dialect", "postgresql"]) == 1
    out = capsys.readouterr().out
    assert (
        f"{seed}:4:3: error syntax-error: INDEX account_email (...) inside CREATE TABLE is MySQL syntax"
        in out
    )
    assert f"{seed}:6:" in out and "KEY" in out


def test_cli_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    migration = tmp_path / "m.sql"
    migration.write_text("SET lock_timeout = '1s';\nDROP INDEX orders_customer;\n")
    assert main(["db", "lint", str(migration), "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert f"::error file={migration},line=2,col=1,title=require-concurrent-index-deletion::" in out
    assert main(["db", "lint", str(migration), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["counts"]["error"] == 1
    clean = tmp_path / "ok.sql"
    clean.write_text("-- migrate:up transaction:false\nDROP INDEX CONCURRENTLY orders_customer;\n")
    assert main(["db", "lint", str(clean)]) == 0
    assert "0 errors" in capsys.readouterr().out
    assert main(["db", "lint", str(tmp_path / "missing.sql")]) == 2


def test_down_files_are_not_linted(tmp_path: Path) -> None:
    (tmp_path / "1_drop.down.sql").write_text("DROP TABLE account;\n")
    (tmp_path / "U2__undo.sql").write_text("DROP TABLE account;\n")
    (tmp_path / "V2__add.sql").write_text("DROP TABLE account;\n")
    result = lint([tmp_path])
    assert result.files == [str(tmp_path / "V2__add.sql")]
    assert {f.rule for f in result.findings} >= {"ban-drop-table"}


def test_unterminated_quote_is_one_syntax_finding(tmp_path: Path) -> None:
    migration = tmp_path / "m.sql"
    migration.write_text("CREATE TABLE x (id bigint);\nSELECT 'unterminated;\n")
    result = lint([migration])
    (finding,) = result.findings
    assert (finding.rule, finding.line, finding.column) == ("syntax-error", 2, 8)
    assert "unterminated quoted string" in finding.message


def test_lock_timeout_the_runner_sets_makes_the_finding_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    migration = tmp_path / "m.sql"
    migration.write_text("ALTER TABLE orders ADD COLUMN note text;\n")

    def finding() -> tuple[str, str | None]:
        (hit,) = [f for f in lint([migration]).findings if f.rule == "require-lock-timeout"]
        return hit.severity, hit.note

    severity, note = finding()
    assert severity == "info" and "lock_timeout = 5000ms" in (note or "")
    (tmp_path / "stanchion.toml").write_text('lock_timeout = "0"\n')
    assert finding() == ("warning", None)
    assert lint([migration], runner_lock_timeout="2s").findings[0].note is not None
