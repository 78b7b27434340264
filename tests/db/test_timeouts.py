"""Per-migration lock timeouts with bounded retries on PostgreSQL and MariaDB: a migration that cannot get
its table lock gives up quickly instead of queueing (and blocking traffic behind it), retries with
backoff, and succeeds once the long transaction ends."""

from __future__ import annotations

from pathlib import Path

import pytest

import stanchion.db as db
from stanchion.db.dialects import dialect_for
from stanchion.db.dialects.base import execute, query
from stanchion.db.migrations.execute import MigrationFailed
from tests.db.sets import write

HOLD = {
    "postgresql": ["BEGIN", "LOCK TABLE busy IN ACCESS SHARE MODE"],
    "mysql": ["START TRANSACTION", "SELECT * FROM busy"],
}
TIMEOUT_TEXT = {"postgresql": "lock timeout (SQLSTATE 55P03)", "mysql": "ERROR 1205"}


@pytest.mark.parametrize("engine", ["postgresql", "mysql"], indirect=True)
def test_lock_timeout_retries_then_succeeds(engine: str, db_url: str, migrations_dir: Path) -> None:
    setup = dialect_for(db_url).connect()
    query(setup, "CREATE TABLE busy (id integer)")
    setup.close()
    write(
        migrations_dir,
        "001_alter",
        "ALTER TABLE busy ADD COLUMN note varchar(20);",
        "ALTER TABLE busy DROP COLUMN note;",
    )
    holder = dialect_for(db_url).connect()
    try:
        for sql in HOLD[engine]:
            execute(holder, sql)
        messages: list[str] = []
        with pytest.raises(MigrationFailed) as caught:
            db.migrate(
                db_url, directory=migrations_dir, lock_timeout="1s", lock_retries=1, notify=messages.append
            )
        assert TIMEOUT_TEXT[engine] in caught.value.message
        assert any("retrying" in m and "attempt 2 of 2" in m for m in messages)

        messages.clear()

        def release_on_first_retry(message: str) -> None:
            # the long transaction ends once the runner has met the lock and backs off, whatever the
            # machine's speed (not after a guessed delay that a slow start could outrun)
            messages.append(message)
            if "retrying" in message and sum("retrying" in m for m in messages) == 1:
                execute(holder, "ROLLBACK")

        result = db.migrate(
            db_url, directory=migrations_dir, lock_timeout="1s", lock_retries=5, notify=release_on_first_retry
        )
        assert [s.version for s in result.steps] == ["001"]
        assert sum("retrying" in m for m in messages) == 1  # released after the first, in on the second
    finally:
        holder.close()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_statement_timeout_is_not_retried_and_concurrent_index_hint(
    engine: str, db_url: str, migrations_dir: Path
) -> None:
    write(migrations_dir, "001_slow", "CREATE TABLE s (id integer);\nSELECT pg_sleep(5);", "DROP TABLE s;")
    messages: list[str] = []
    with pytest.raises(MigrationFailed, match="statement timeout") as caught:
        db.migrate(db_url, directory=migrations_dir, statement_timeout="200ms", notify=messages.append)
    assert "rolled back" in (caught.value.hint or "")
    assert not any("retrying" in m for m in messages)

    (migrations_dir / "001_slow.sql").unlink()
    write(
        migrations_dir,
        "002_index",
        "CREATE TABLE i (id integer);\nCREATE INDEX CONCURRENTLY i_id ON i (id);",
        "",
    )
    with pytest.raises(MigrationFailed, match="cannot run inside a transaction block") as caught:
        db.migrate(db_url, directory=migrations_dir)
    assert "transaction:false" in (caught.value.hint or "")


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_cli_passes_timeout_options_to_the_runner(
    engine: str, db_url: str, migrations_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stanchion.cli.main import main

    setup = dialect_for(db_url).connect()
    query(setup, "CREATE TABLE busy (id integer)")
    setup.close()
    write(
        migrations_dir,
        "001_alter",
        "ALTER TABLE busy ADD COLUMN note text;",
        "ALTER TABLE busy DROP COLUMN note;",
    )
    holder = dialect_for(db_url).connect()
    try:
        for sql in HOLD[engine]:
            execute(holder, sql)
        code = main(
            [
                "db",
                "migrate",
                "--database-url",
                db_url,
                "--dir",
                str(migrations_dir),
                "--lock-timeout",
                "300ms",
                "--lock-retries",
                "1",
                "--lock-wait",
                "5",
            ]
        )
        err = capsys.readouterr().err
        assert code == 1
        assert TIMEOUT_TEXT[engine] in err
        assert "attempt 2 of 2" in err
    finally:
        holder.close()
