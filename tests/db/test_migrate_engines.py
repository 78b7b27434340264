"""The migration runner on real SQLite, PostgreSQL and MariaDB: every command, round trips by
introspection, dry runs that change nothing, checksums and failure semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

import stanchion.db as db
from stanchion.db.dialects import dialect_for
from stanchion.db.dialects.base import query
from stanchion.db.migrations.execute import MigrationFailed
from stanchion.db.migrations.runner import snapshot
from stanchion.errors import CheckFailed, UsageError
from tests.db.sets import SETS, write, write_set


def states(url: str, folder: Path) -> dict[str, str]:
    return {e.version: e.state for e in db.status(url, directory=folder).entries}


def history_rows(url: str) -> list[tuple[object, ...]]:
    dialect = dialect_for(url)
    conn = dialect.connect()
    try:
        return query(conn, "SELECT version, status, statement FROM stanchion_migrations ORDER BY version")
    finally:
        conn.close()


def test_round_trip_up_down_up_identical(engine: str, db_url: str, migrations_dir: Path) -> None:
    write_set(engine, migrations_dir)
    empty = snapshot(db_url)
    first = db.migrate(db_url, directory=migrations_dir)
    assert [s.version for s in first.steps] == [label.split("_")[0] for label, *_ in SETS[engine]]
    up = snapshot(db_url)
    assert up != empty
    assert set(states(db_url, migrations_dir).values()) == {"applied"}

    down = db.rollback(db_url, directory=migrations_dir, steps=len(SETS[engine]))
    assert [s.direction for s in down.steps] == ["down"] * len(SETS[engine])
    assert snapshot(db_url) == empty
    assert set(states(db_url, migrations_dir).values()) == {"pending"}

    db.migrate(db_url, directory=migrations_dir)
    assert snapshot(db_url) == up


def test_dry_run_prints_sql_and_changes_nothing(engine: str, db_url: str, migrations_dir: Path) -> None:
    write_set(engine, migrations_dir)
    before = snapshot(db_url, exclude=())
    plan = db.migrate(db_url, directory=migrations_dir, dry_run=True)
    assert plan.dry_run and len(plan.steps) == len(SETS[engine])
    assert any("semi;colon" in sql for sql in plan.steps[0].statements)
    assert snapshot(db_url, exclude=()) == before  # not even the history table was created

    db.migrate(db_url, directory=migrations_dir)
    applied = snapshot(db_url, exclude=())
    back = db.rollback(db_url, directory=migrations_dir, steps=2, dry_run=True)
    assert [s.direction for s in back.steps] == ["down", "down"]
    assert snapshot(db_url, exclude=()) == applied


def test_redo_status_and_to(engine: str, db_url: str, migrations_dir: Path) -> None:
    write_set(engine, migrations_dir)
    versions = [label.split("_")[0] for label, *_ in SETS[engine]]
    result = db.migrate(db_url, directory=migrations_dir, to=versions[1])
    assert [s.version for s in result.steps] == versions[:2]
    assert states(db_url, migrations_dir)[versions[2]] == "pending"
    db.migrate(db_url, directory=migrations_dir)
    before = snapshot(db_url)
    redo = db.redo(db_url, directory=migrations_dir)
    assert [(s.version, s.direction) for s in redo.steps] == [(versions[-1], "down"), (versions[-1], "up")]
    assert snapshot(db_url) == before
    db.rollback(db_url, directory=migrations_dir, to=versions[0])
    assert [v for v, s in states(db_url, migrations_dir).items() if s == "applied"] == versions[:1]


def test_failure_at_third_statement(engine: str, db_url: str, migrations_dir: Path) -> None:
    path = write(
        migrations_dir,
        "001_broken",
        "CREATE TABLE first_t (id integer);\nCREATE TABLE second_t (id integer);\n\nINSERT INTO no_such_table VALUES (1);",
        "DROP TABLE second_t;\nDROP TABLE first_t;",
    )
    empty = snapshot(db_url)
    with pytest.raises(MigrationFailed) as caught:
        db.migrate(db_url, directory=migrations_dir)
    message = caught.value.message
    assert message.startswith(f"{path}:5:"), message  # file and line of the failing statement
    assert "statement 3 of 3" in message
    assert "no_such_table" in message  # the database's own error
    if engine == "mysql":
        # MySQL commits DDL implicitly: the run is recorded as failed at the statement it stopped at.
        assert history_rows(db_url) == [("001", "failed", 3)]
        assert "--resume" in (caught.value.hint or "")
        assert states(db_url, migrations_dir) == {"001": "failed"}
        assert db.status(db_url, directory=migrations_dir).exit_code == 1
    else:
        assert snapshot(db_url) == empty  # no trace: the transaction was rolled back
        assert history_rows(db_url) == []
        assert "rolled back" in (caught.value.hint or "")


def test_failed_no_transaction_migration_records_statement_and_resumes(
    engine: str, db_url: str, migrations_dir: Path
) -> None:
    path = write(
        migrations_dir,
        "001_steps",
        "CREATE TABLE a_t (id integer);\nINSERT INTO missing_t VALUES (1);\nCREATE TABLE b_t (id integer);",
        "DROP TABLE b_t;\nDROP TABLE a_t;",
        options=" transaction:false",
    )
    with pytest.raises(MigrationFailed) as caught:
        db.migrate(db_url, directory=migrations_dir)
    assert f"{path}:3:" in caught.value.message
    assert "stanchion db migrate --resume" in (caught.value.hint or "")
    assert history_rows(db_url) == [("001", "failed", 2)]
    entry = db.status(db_url, directory=migrations_dir).entries[0]
    assert (entry.state, entry.statement) == ("failed", 2)
    assert "missing_t" in (entry.error or "")
    with pytest.raises(CheckFailed, match="failed at statement 2"):
        db.migrate(db_url, directory=migrations_dir)  # refuses until told how to recover

    # fix the cause (the table the statement needs), then resume at statement 2
    dialect = dialect_for(db_url)
    conn = dialect.connect()
    try:
        query(conn, "CREATE TABLE missing_t (id integer)")
    finally:
        conn.close()
    resumed = db.migrate(db_url, directory=migrations_dir, resume=True)
    assert resumed.steps[0].resumed_at == 2
    assert history_rows(db_url) == [("001", "applied", None)]
    assert states(db_url, migrations_dir) == {"001": "applied"}


def test_checksum_change_is_reported_and_refused_then_repaired(
    engine: str, db_url: str, migrations_dir: Path
) -> None:
    path = write(migrations_dir, "001_t", "CREATE TABLE t1 (id integer);", "DROP TABLE t1;")
    write(migrations_dir, "002_u", "CREATE TABLE u1 (id integer);", "DROP TABLE u1;")
    db.migrate(db_url, directory=migrations_dir, to="001")
    path.write_text(path.read_text().replace("t1 (id integer)", "t1 (id integer, note text)"))
    assert states(db_url, migrations_dir) == {"001": "changed", "002": "pending"}
    assert db.status(db_url, directory=migrations_dir).exit_code == 1
    with pytest.raises(CheckFailed) as caught:
        db.migrate(db_url, directory=migrations_dir)
    assert str(path) in caught.value.message and caught.value.exit_code == 1
    assert states(db_url, migrations_dir)["002"] == "pending"  # nothing ran

    plan = db.repair(db_url, directory=migrations_dir, dry_run=True)
    assert [c.action for c in plan.changes] == ["checksum"]
    assert "+CREATE TABLE t1 (id integer, note text);" in plan.changes[0].diff
    assert states(db_url, migrations_dir)["001"] == "changed"  # dry run changed nothing
    db.repair(db_url, directory=migrations_dir)
    assert states(db_url, migrations_dir)["001"] == "applied"
    db.migrate(db_url, directory=migrations_dir)
    assert set(states(db_url, migrations_dir).values()) == {"applied"}


def test_missing_out_of_order_and_missing_down(engine: str, db_url: str, migrations_dir: Path) -> None:
    write(migrations_dir, "001_a", "CREATE TABLE a1 (id integer);", "DROP TABLE a1;")
    gone = write(migrations_dir, "003_c", "CREATE TABLE c1 (id integer);", None)
    db.migrate(db_url, directory=migrations_dir)
    write(migrations_dir, "002_b", "CREATE TABLE b1 (id integer);", "DROP TABLE b1;")
    assert states(db_url, migrations_dir) == {"001": "applied", "002": "out_of_order", "003": "applied"}
    with pytest.raises(CheckFailed, match="out of order"):
        db.migrate(db_url, directory=migrations_dir)
    with pytest.raises(UsageError, match="has no down section; nothing was rolled back"):
        db.rollback(db_url, directory=migrations_dir)
    db.migrate(db_url, directory=migrations_dir, allow_out_of_order=True)
    gone.unlink()
    result = db.status(db_url, directory=migrations_dir)
    assert {e.version: e.state for e in result.entries}["003"] == "missing"
    assert result.exit_code == 1
    # the history keeps the SQL, so even a migration whose file is gone cannot be rolled back blindly
    with pytest.raises(UsageError, match="no down section"):
        db.rollback(db_url, directory=migrations_dir)


def test_apply_one_file(engine: str, db_url: str, tmp_path: Path) -> None:
    hotfix = tmp_path / "20240101000000_hotfix.sql"
    hotfix.write_text("CREATE TABLE hot (id integer);\nINSERT INTO hot VALUES (1);\n")
    before = snapshot(db_url, exclude=())
    plan = db.apply(hotfix, db_url, dry_run=True)
    assert plan.steps[0].statements == ["CREATE TABLE hot (id integer)", "INSERT INTO hot VALUES (1)"]
    assert snapshot(db_url, exclude=()) == before
    db.apply(hotfix, db_url)
    assert history_rows(db_url) == [("20240101000000", "applied", None)]
    with pytest.raises(UsageError, match="already recorded"):
        db.apply(hotfix, db_url)


def test_repair_forget_and_mark_applied(engine: str, db_url: str, migrations_dir: Path) -> None:
    write(
        migrations_dir,
        "001_one",
        "CREATE TABLE one_t (id integer);\nINSERT INTO gone_t VALUES (1);",
        "DROP TABLE one_t;",
        options=" transaction:false",
    )
    with pytest.raises(MigrationFailed):
        db.migrate(db_url, directory=migrations_dir)
    plan = db.repair(db_url, directory=migrations_dir, mark_applied=["001"], dry_run=True)
    assert [(c.action, c.version) for c in plan.changes] == [("mark_applied", "001")]
    assert states(db_url, migrations_dir) == {"001": "failed"}
    db.repair(db_url, directory=migrations_dir, mark_applied=["001"])
    assert states(db_url, migrations_dir) == {"001": "applied"}

    db.rollback(db_url, directory=migrations_dir)
    with pytest.raises(MigrationFailed):
        db.migrate(db_url, directory=migrations_dir)
    dialect = dialect_for(db_url)
    conn = dialect.connect()
    try:
        query(conn, "DROP TABLE one_t")  # undo statement 1 by hand
        query(conn, "CREATE TABLE gone_t (id integer)")  # and fix the cause
    finally:
        conn.close()
    db.repair(db_url, directory=migrations_dir, forget=["001"])
    assert states(db_url, migrations_dir) == {"001": "pending"}
    assert [s.version for s in db.migrate(db_url, directory=migrations_dir).steps] == ["001"]
    with pytest.raises(UsageError, match="not in the history table"):
        db.repair(db_url, directory=migrations_dir, forget=["999"])
