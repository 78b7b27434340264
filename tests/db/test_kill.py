"""A runner killed with SIGKILL mid-migration leaves a state ``status`` explains, and the next run completes.

The slow statement sleeps only while a ``slow_marker`` row says so, so the rerun after the kill is quick.
PostgreSQL and SQLite roll the killed transaction back (no trace; the next ``migrate`` applies it);
MySQL commits DDL as it goes, so the history row shows the run interrupted at its statement and
``migrate --resume`` finishes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import stanchion.db as db
from stanchion.db.dialects import dialect_for
from stanchion.db.dialects.base import query
from stanchion.db.migrations.runner import snapshot
from stanchion.errors import CheckFailed
from tests.db.sets import write

SLOW = {
    "sqlite": "INSERT INTO k_big (x) SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < (SELECT n FROM slow_marker)) SELECT x FROM c);",
    "postgresql": "SELECT pg_sleep((SELECT n FROM slow_marker));",
    "mysql": "SELECT SLEEP((SELECT n FROM slow_marker));",
}
SLOW_VALUE = {"sqlite": 200_000_000, "postgresql": 60, "mysql": 4}
# How the database shows that the runner is inside the slow statement. SQLite cannot show another
# connection's statement; there the kill may land on either statement of the transaction, and both roll back.
RUNNING = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(%'",
    "mysql": "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(%'",
}


def sql(url: str, *statements: str) -> None:
    dialect = dialect_for(url)
    conn = dialect.connect()
    try:
        for statement in statements:
            query(conn, statement)
    finally:
        conn.close()


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if needle in line:
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"runner never printed {needle!r}")


def wait_for_slow_statement(url: str, engine: str, proc: subprocess.Popen[str], timeout: float) -> None:
    """Until the database reports the slow statement running (not after a guessed sleep)."""
    probe = RUNNING.get(engine)
    if probe is None:
        return
    deadline = time.monotonic() + timeout
    while True:
        conn = dialect_for(url).connect()  # a fresh session each time: no cached activity snapshot
        try:
            if query(conn, probe)[0][0]:
                return
        finally:
            conn.close()
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("the runner never reached the slow statement")
        time.sleep(0.05)


def test_sigkill_mid_migration(engine: str, db_url: str, migrations_dir: Path, tmp_path: Path) -> None:
    sql(
        db_url,
        "CREATE TABLE slow_marker (n integer)",
        f"INSERT INTO slow_marker VALUES ({SLOW_VALUE[engine]})",
    )
    write(migrations_dir, "001_base", "CREATE TABLE k_base (id integer);", "DROP TABLE k_base;")
    write(
        migrations_dir,
        "002_slow",
        f"CREATE TABLE k_big (x integer);\n{SLOW[engine]}\nCREATE TABLE k_after (id integer);",
        "DROP TABLE k_after;\nDROP TABLE k_big;",
    )
    db.migrate(db_url, directory=migrations_dir, to="001")
    before = snapshot(db_url)
    argv = [
        sys.executable,
        "-m",
        "stanchion",
        "db",
        "migrate",
        "--database-url",
        db_url,
        "--dir",
        str(migrations_dir),
    ]
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,
        env={**os.environ, "CI": "1"},
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(proc, "applying 002_slow", 60)
        wait_for_slow_statement(db_url, engine, proc, 60)
        assert proc.poll() is None, "the runner finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    sql(db_url, "UPDATE slow_marker SET n = 0")
    if engine == "mysql":
        # The killed session may take its SLEEP to end; status says "running" until then, "interrupted" after.
        deadline = time.monotonic() + 30
        while (entry := db.status(db_url, directory=migrations_dir).entries[1]).state == "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert (entry.state, entry.statement) == ("interrupted", 2)
        assert db.status(db_url, directory=migrations_dir).exit_code == 1
        with pytest.raises(CheckFailed, match="was interrupted at statement 2") as caught:
            db.migrate(db_url, directory=migrations_dir)
        assert "--resume" in (caught.value.hint or "")
        result = db.migrate(db_url, directory=migrations_dir, resume=True)
        assert result.steps[0].resumed_at == 2
    else:
        status = db.status(db_url, directory=migrations_dir)
        assert [e.state for e in status.entries] == ["applied", "pending"]
        assert snapshot(db_url) == before  # the killed transaction left no trace
        db.migrate(db_url, directory=migrations_dir)
    assert [e.state for e in db.status(db_url, directory=migrations_dir).entries] == ["applied", "applied"]
