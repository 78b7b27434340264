"""Honest migrations on real SQLite, PostgreSQL and MariaDB: a plan that cannot run (an empty up section,
SQL the database cannot parse) is refused whole before anything runs, with the same exit code on every
dialect; repair never records as applied SQL that never ran; timings and timestamps read alike everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import stanchion.db as db
from stanchion.cli.main import main
from stanchion.db.dialects import dialect_for
from stanchion.db.dialects.base import query
from stanchion.db.migrations.files import checksum
from stanchion.db.migrations.history import History, Record, format_time, now
from stanchion.db.migrations.runner import snapshot
from stanchion.errors import UsageError
from tests.db.sets import write

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")

#: the same typo on every dialect: a doubled comma in a column list
MALFORMED = "CREATE TABLE typo_t (id integer,, note text);"


def history_rows(url: str) -> list[tuple[object, ...]]:
    dialect = dialect_for(url)
    conn = dialect.connect()
    try:
        if not dialect.table_exists(conn, "stanchion_migrations"):
            return []
        return query(conn, "SELECT version, status FROM stanchion_migrations ORDER BY version")
    finally:
        conn.close()


def three_pending(folder: Path, middle: str) -> Path:
    write(folder, "001_first", "CREATE TABLE first_t (id integer);", "DROP TABLE first_t;")
    bad = write(folder, "002_middle", middle, "DROP TABLE IF EXISTS typo_t;")
    write(folder, "003_last", "CREATE TABLE last_t (id integer);", "DROP TABLE last_t;")
    return bad


@pytest.mark.parametrize("up", ["", "-- write the SQL here\n\n/* later */\n"], ids=["blank", "comments"])
def test_empty_up_section_refuses_the_whole_plan(
    engine: str, db_url: str, migrations_dir: Path, up: str
) -> None:
    bad = three_pending(migrations_dir, up)
    before = snapshot(db_url, exclude=())
    for dry_run in (True, False):
        with pytest.raises(UsageError) as caught:
            db.migrate(db_url, directory=migrations_dir, dry_run=dry_run)
        assert caught.value.exit_code == 2
        assert caught.value.message.startswith(f"{bad}:2: the up section of 002_middle has no SQL")
        assert "nothing was run or recorded" in caught.value.message
    # the first migration did not run either: the plan is checked before anything runs
    assert history_rows(db_url) == []
    assert snapshot(db_url, exclude=()) == before  # not even the history table was created
    assert {e.state for e in db.status(db_url, directory=migrations_dir).entries} == {"pending"}
    # up to the good one, the plan runs
    assert [s.version for s in db.migrate(db_url, directory=migrations_dir, to="001").steps] == ["001"]


def test_apply_refuses_an_empty_file(engine: str, db_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "hotfix.sql"
    empty.write_text("-- nothing yet\n")
    with pytest.raises(UsageError, match="has no SQL") as caught:
        db.apply(empty, db_url)
    assert caught.value.exit_code == 2
    assert history_rows(db_url) == []


def test_malformed_sql_is_exit_2_on_every_dialect_before_anything_runs(
    engine: str, db_url: str, migrations_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = three_pending(migrations_dir, f"CREATE TABLE ok_t (id integer);\n{MALFORMED}")
    with pytest.raises(UsageError) as caught:
        db.migrate(db_url, directory=migrations_dir)
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith(f"{bad}:3: "), caught.value.message  # file and line of the typo
    assert history_rows(db_url) == []
    assert {e.state for e in db.status(db_url, directory=migrations_dir).entries} == {"pending"}

    code = main(["db", "migrate", "--database-url", db_url, "--dir", str(migrations_dir), "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert f"{bad}:3:" in captured.err and "Traceback" not in captured.err
    code = main(["db", "migrate", "--dry-run", "--database-url", db_url, "--dir", str(migrations_dir)])
    assert code == 2
    capsys.readouterr()
    assert history_rows(db_url) == []


def test_malformed_down_sql_is_exit_2_before_anything_is_rolled_back(
    engine: str, db_url: str, migrations_dir: Path
) -> None:
    write(migrations_dir, "001_a", "CREATE TABLE down_a (id integer);", "DROP TABLE down_a;")
    bad = write(
        migrations_dir, "002_b", "CREATE TABLE down_b (id integer);", "DROP TABLE down_b;;\nDROP TABLE (x;"
    )
    db.migrate(db_url, directory=migrations_dir)
    applied = snapshot(db_url)
    for call in (
        lambda: db.rollback(db_url, directory=migrations_dir, steps=2),
        lambda: db.rollback(db_url, directory=migrations_dir, steps=1, dry_run=True),
        lambda: db.redo(db_url, directory=migrations_dir),
    ):
        with pytest.raises(UsageError) as caught:
            call()
        assert caught.value.exit_code == 2 and caught.value.message.startswith(f"{bad}:"), (
            caught.value.message
        )
    assert snapshot(db_url) == applied
    assert history_rows(db_url) == [("001", "applied"), ("002", "applied")]


def test_syntax_check_leaves_names_to_the_run(engine: str, db_url: str, migrations_dir: Path) -> None:
    """A statement on a table that an earlier statement creates parses fine; it is not a syntax error."""
    write(
        migrations_dir,
        "001_new_table_and_rows",
        "CREATE TABLE fresh_t (id integer, note varchar(20));\n"
        "INSERT INTO fresh_t (id, note) VALUES (1, 'a;b');\n"
        "CREATE VIEW fresh_v AS SELECT id FROM fresh_t;",
        "DROP VIEW fresh_v;\nDROP TABLE fresh_t;",
    )
    result = db.migrate(db_url, directory=migrations_dir)
    assert [s.version for s in result.steps] == ["001"]


def test_create_template_stays_refused_until_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CI", "1")
    assert main(["db", "create", "add_users"]) == 0
    path = Path(capsys.readouterr().out.split()[1])
    code = main(["db", "migrate"])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}:2: the up section" in err and "hint:" in err
    code = main(["db", "status", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["summary"]["pending"] == 1 and document["summary"]["applied"] == 0

    path.write_text(
        path.read_text().replace("-- migrate:up\n", "-- migrate:up\nCREATE TABLE users (id integer);")
    )
    assert main(["db", "migrate"]) == 0
    assert "1 migration step in" in capsys.readouterr().out  # and never "1 migration step(s)"


@pytest.mark.parametrize("fmt", ["golang-migrate", "flyway", "prisma"])
def test_other_layouts_templates_are_refused_too(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "migrations"
    created = db.create("init", directory=folder, format=fmt)
    with pytest.raises(UsageError, match="has no SQL") as caught:
        db.migrate(f"sqlite:///{tmp_path / 'app.db'}", directory=folder, format=fmt)
    assert str(created.files[0]) in caught.value.message


def test_repair_never_accepts_a_migration_that_never_ran(
    engine: str, db_url: str, migrations_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty migration recorded as applied (by a release before empty sections were refused), then
    filled in: repair forgets the record instead of accepting the SQL as applied, and migrate runs it."""
    path = write(migrations_dir, "001_later", "", "DROP TABLE later_t;")
    dialect = dialect_for(db_url)
    conn = dialect.connect()
    try:
        history = History(dialect, conn)
        history.ensure()
        empty_up = "\n"
        history.insert(
            Record(
                "001",
                "later",
                checksum(empty_up),
                "applied",
                now(dialect),
                0,
                "old",
                None,
                None,
                empty_up,
                None,
            )
        )
    finally:
        conn.close()
        dialect.close()
    path.write_text(
        "-- migrate:up\nCREATE TABLE later_t (id integer);\n-- migrate:down\nDROP TABLE later_t;\n"
    )
    assert {e.state for e in db.status(db_url, directory=migrations_dir).entries} == {"changed"}

    plan = db.repair(db_url, directory=migrations_dir, dry_run=True)
    assert [(c.version, c.action) for c in plan.changes] == [("001", "forget")]
    assert "none of the statements now in the file ever ran" in plan.changes[0].reason
    code = main(["db", "repair", "--dry-run", "--database-url", db_url, "--dir", str(migrations_dir)])
    out = capsys.readouterr().out
    assert code == 0 and "would forget 001_later" in out and "ever ran" in out

    db.repair(db_url, directory=migrations_dir)
    assert {e.state for e in db.status(db_url, directory=migrations_dir).entries} == {"pending"}
    db.migrate(db_url, directory=migrations_dir)
    assert "later_t" in json.dumps(snapshot(db_url), default=str)
    assert {e.state for e in db.status(db_url, directory=migrations_dir).entries} == {"applied"}


def test_steps_report_each_statements_time(engine: str, db_url: str, migrations_dir: Path) -> None:
    write(
        migrations_dir,
        "001_two",
        "CREATE TABLE two_a (id integer);\nCREATE TABLE two_b (id integer);",
        "DROP TABLE two_b;\nDROP TABLE two_a;",
    )
    write(
        migrations_dir,
        "002_tracked",
        "CREATE TABLE three_a (id integer);",
        "DROP TABLE three_a;",
        options=" transaction:false",
    )
    result = db.migrate(db_url, directory=migrations_dir)
    for step in result.steps:
        assert len(step.statement_ms) == len(step.statements)
        assert all(ms is not None and ms >= 0 for ms in step.statement_ms)
        document = step.to_json()
        assert len(document["statement_ms"]) == len(document["statements"])
    down = db.rollback(db_url, directory=migrations_dir, steps=2)
    assert [len(s.statement_ms) for s in down.steps] == [1, 2]
    assert db.migrate(db_url, directory=migrations_dir, dry_run=True).steps[0].statement_ms == []


def test_status_timestamps_read_alike_on_every_dialect(
    engine: str, db_url: str, migrations_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(migrations_dir, "001_t", "CREATE TABLE stamp_t (id integer);", "DROP TABLE stamp_t;")
    db.migrate(db_url, directory=migrations_dir)
    stamp = db.status(db_url, directory=migrations_dir).entries[0].applied_at
    assert stamp is not None and TIMESTAMP.match(stamp), stamp
    code = main(["db", "status", "--json", "--database-url", db_url, "--dir", str(migrations_dir)])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and TIMESTAMP.match(document["migrations"][0]["applied_at"])
    main(["db", "status", "--database-url", db_url, "--dir", str(migrations_dir)])
    line = next(x for x in capsys.readouterr().out.splitlines() if "001_t" in x)
    assert re.search(r"\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 by ", line), line


def test_format_time_normalises_each_driver_form() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    expected = "2024-01-02T03:04:05.678+00:00"
    assert format_time(moment) == expected  # PostgreSQL in UTC
    assert format_time(moment.astimezone(timezone(timedelta(hours=2)))) == expected  # another session zone
    assert format_time(moment.replace(tzinfo=None)) == expected  # MySQL's naive DATETIME(6)
    assert format_time("2024-01-02T03:04:05.678+00:00") == expected  # SQLite's text
    assert format_time("2024-01-02 03:04:05.678901") == expected
    assert format_time("yesterday") == "yesterday"


def test_counts_agree_in_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    migration = tmp_path / "001_t.sql"
    migration.write_text("-- migrate:up\nCREATE TABLE t (id integer PRIMARY KEY);\n")
    assert main(["db", "lint", str(migration), "--dialect", "sqlite"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("1 file: 0 errors, 0 warnings")
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n")
    assert main(["db", "analyze", str(schema), "--dialect", "sqlite"]) == 0
    out = capsys.readouterr().out
    assert "): 1 table, " in out and "1 tables" not in out
