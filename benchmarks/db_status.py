"""`stanchion db status` with 1,000 migration files, all applied: end to end (start-up to exit), median of
N runs, on SQLite and on PostgreSQL. Target: under 300 ms. Alembic's closest command,
`alembic current` over 1,000 revisions, runs beside it for scale.

Run: .venv/bin/python benchmarks/db_status.py [--count 1000] [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.servers import PostgresServer  # noqa: E402

from benchmarks.migrate_vs_alembic import _with_url, write_alembic, write_stanchion  # noqa: E402

BIN = Path(sys.executable).parent


def median_ms(argv: list[str], cwd: Path, runs: int) -> float:
    env = {**os.environ, "CI": "1"}
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False, env=env)  # warm the page cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
        samples.append((time.perf_counter() - start) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv[:3])} exited {proc.returncode}: {proc.stderr[-1000:]}")
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    import psycopg

    import stanchion.db as db

    # A wheel install compiles bytecode at install time; an editable checkout (or PYTHONDONTWRITEBYTECODE)
    # would otherwise recompile every edited module on each run and time the compiler, not the command.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    work = Path(tempfile.mkdtemp(prefix="stanchion-status-"))
    server = PostgresServer().start()
    rows: list[tuple[str, float]] = []
    try:
        folder = work / "migrations"
        write_stanchion(folder, args.count)
        name = f"status_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        urls = {"SQLite": f"sqlite:///{work / 'app.db'}", "PostgreSQL": server.url_for(name)}
        for label, url in urls.items():
            db.migrate(url, directory=folder)
            argv = [str(BIN / "stanchion"), "db", "status", "--database-url", url, "--dir", str(folder)]
            rows.append((f"stanchion db status ({label})", median_ms(argv, work, args.runs)))
        floor = [str(BIN / "python"), "-c", "import psycopg"]
        rows.append(("python -c 'import psycopg' (the driver alone)", median_ms(floor, work, args.runs)))
        if shutil.which("alembic", path=str(BIN)):
            ini = write_alembic(work / "alembic", args.count, False)
            alembic_url = urls["PostgreSQL"].replace("postgresql://", "postgresql+psycopg://")
            folder_alembic = _with_url(ini, alembic_url)
            subprocess.run(
                [str(BIN / "alembic"), "-c", str(ini), "stamp", "head"],
                cwd=folder_alembic,
                check=True,
                capture_output=True,
            )
            argv = [str(BIN / "alembic"), "-c", str(ini), "current"]
            rows.append(("alembic current (PostgreSQL)", median_ms(argv, folder_alembic, args.runs)))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.count} applied migrations, median of {args.runs} runs (end to end)\n")
    print("| command | median ms | target 300 ms |")
    print("|---|---:|---|")
    for label, ms in rows:
        verdict = ("met" if ms < 300 else "missed") if label.startswith("stanchion") else "(reference)"
        print(f"| {label} | {ms:.0f} | {verdict} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
