"""Concurrency: 8 processes run ``python -m stanchion db migrate`` at once against one database, 20
rounds, on each engine. Every migration is applied exactly once; the others wait and exit cleanly.

Each migration appends a row to ``applied_log`` (a second application would add a second row), and on
PostgreSQL every fifth round adds a no-transaction ``CREATE INDEX CONCURRENTLY``, which must finish while
the other runners wait for the advisory lock (a second application would fail: the index exists).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stanchion.db.dialects import dialect_for
from stanchion.db.dialects.base import query
from tests.db.sets import write

PROCESSES = 8
ROUNDS = 20


def run_many(url: str, folder: Path, cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    argv = [sys.executable, "-m", "stanchion", "db", "migrate", "--database-url", url, "--dir", str(folder)]
    env = {**os.environ, "CI": "1"}
    procs = [
        subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    return results


def test_eight_processes_twenty_rounds(
    engine: str, db_url: str, migrations_dir: Path, tmp_path: Path
) -> None:
    write(
        migrations_dir,
        "00000_log",
        "CREATE TABLE applied_log (round_no integer NOT NULL);",
        "DROP TABLE applied_log;",
    )
    expected: list[int] = []
    for round_no in range(1, ROUNDS + 1):
        write(
            migrations_dir,
            f"{round_no * 10:05d}_round",
            f"INSERT INTO applied_log (round_no) VALUES ({round_no});",
            f"DELETE FROM applied_log WHERE round_no = {round_no};",
        )
        expected.append(round_no)
        if engine == "postgresql" and round_no % 5 == 0:
            write(
                migrations_dir,
                f"{round_no * 10 + 1:05d}_index",
                f"CREATE INDEX CONCURRENTLY applied_log_{round_no} ON applied_log (round_no);",
                f"DROP INDEX CONCURRENTLY applied_log_{round_no};",
                options=" transaction:false",
            )
        results = run_many(db_url, migrations_dir, tmp_path)
        for result in results:
            assert result.returncode == 0, f"round {round_no}: {result.stderr}"
            assert "error" not in result.stderr.lower(), result.stderr
        applied_here = [
            line for r in results for line in r.stdout.splitlines() if line.startswith("applied ")
        ]
        new = 2 if (engine == "postgresql" and round_no % 5 == 0) or round_no == 1 else 1
        assert len(applied_here) == new, f"round {round_no}: {applied_here}"

    dialect = dialect_for(db_url)
    conn = dialect.connect()
    try:
        rows = query(conn, "SELECT round_no FROM applied_log ORDER BY round_no")
        history = query(conn, "SELECT version, status FROM stanchion_migrations")
    finally:
        conn.close()
    assert [r[0] for r in rows] == expected  # every migration exactly once
    assert len(history) == len(list(migrations_dir.iterdir()))
    assert {status for _, status in history} == {"applied"}


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_status_reports_a_held_lock(engine: str, db_url: str, migrations_dir: Path) -> None:
    import stanchion.db as db
    from stanchion.db.dialects.postgresql import LOCK_KEY

    write(migrations_dir, "001_t", "CREATE TABLE t (id integer);", "DROP TABLE t;")
    holder = dialect_for(db_url).connect()
    try:
        query(holder, "SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        assert db.status(db_url, directory=migrations_dir).lock_held
        from stanchion.errors import EnvironmentProblem

        with pytest.raises(EnvironmentProblem, match="another migration run holds the lock"):
            db.migrate(db_url, directory=migrations_dir, lock_wait=0.3)
    finally:
        holder.close()
    assert not db.status(db_url, directory=migrations_dir).lock_held
