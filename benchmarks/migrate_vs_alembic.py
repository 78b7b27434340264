"""Apply 500 small migrations to PostgreSQL: `stanchion db migrate` beside `alembic upgrade head` on the
same 500 (as Alembic revisions calling ``op.execute``), side by side in one run, median of N rounds.

Both run end to end as commands a user types, from start-up to exit, against fresh databases on one
throwaway PostgreSQL server (tests/support/servers.py). Alembic is timed twice: its default (all
revisions in one transaction) and ``transaction_per_migration=True`` (one transaction per revision, the
guarantee Stanchion always gives).

Run: .venv/bin/python benchmarks/migrate_vs_alembic.py [--count 500] [--rounds 3]
Needs: pip install '.[bench]' (alembic) and the Debian PostgreSQL packages (make system).
"""

from __future__ import annotations

import argparse
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

BIN = Path(sys.executable).parent


def migration_sql(i: int) -> tuple[str, str]:
    up = (
        f"CREATE TABLE bench_{i} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'n;{i}');\n"
        f"INSERT INTO bench_{i} (id) VALUES ({i});"
    )
    return up, f"DROP TABLE bench_{i};"


def write_stanchion(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for i in range(1, count + 1):
        up, down = migration_sql(i)
        (folder / f"{i:05d}_bench_{i}.sql").write_text(f"-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n")


ENV_PY = """\
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration={per_migration})
    with context.begin_transaction():
        context.run_migrations()
"""

REVISION = '''\
"""bench {i}"""
from alembic import op

revision = "r{i:05d}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""{up}""")


def downgrade():
    op.execute("""{down_sql}""")
'''


def write_alembic(folder: Path, count: int, per_migration: bool) -> Path:
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(ENV_PY.format(per_migration=per_migration))
    (folder / "script.py.mako").write_text("")
    for i in range(1, count + 1):
        up, down = migration_sql(i)
        previous = f'"r{i - 1:05d}"' if i > 1 else "None"
        (folder / "versions" / f"r{i:05d}_bench.py").write_text(
            REVISION.format(i=i, down=previous, up=up, down_sql=down)
        )
    ini = folder / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {folder}\n")
    return ini


def new_database(server: PostgresServer) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("alembic", path=str(BIN)) is None:
        print("alembic is not installed: pip install '.[bench]'", file=sys.stderr)
        return 3
    work = Path(tempfile.mkdtemp(prefix="stanchion-bench-"))
    server = PostgresServer().start()
    try:
        write_stanchion(work / "stanchion", args.count)
        inis = {
            "alembic (one transaction)": write_alembic(work / "alembic_one", args.count, False),
            "alembic (transaction per migration)": write_alembic(work / "alembic_per", args.count, True),
        }
        samples: dict[str, list[float]] = {"stanchion": [], **{k: [] for k in inis}}
        for _ in range(args.rounds):
            url = server.url_for(new_database(server))
            samples["stanchion"].append(
                timed(
                    [
                        str(BIN / "stanchion"),
                        "db",
                        "migrate",
                        "--database-url",
                        url,
                        "--dir",
                        str(work / "stanchion"),
                    ],
                    work,
                )
            )
            for label, ini in inis.items():
                url = server.url_for(new_database(server)).replace("postgresql://", "postgresql+psycopg://")
                folder = _with_url(ini, url)
                samples[label].append(
                    timed([str(BIN / "alembic"), "-c", str(ini), "upgrade", "head"], folder)
                )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(samples["stanchion"])
    print(f"{args.count} migrations on PostgreSQL, median of {args.rounds} rounds (end to end, seconds)\n")
    print("| command | median s | stanchion / peer |")
    print("|---|---:|---:|")
    for label, values in samples.items():
        median = statistics.median(values)
        print(f"| {label} | {median:.2f} | {base / median:.2f} |")
    return 0


def _with_url(ini: Path, url: str) -> Path:
    """Point ``ini`` at ``url`` (Alembic reads the URL from its ini file) and return the working folder."""
    ini.write_text(f"[alembic]\nscript_location = {ini.parent}\nsqlalchemy.url = {url}\n")
    return ini.parent


if __name__ == "__main__":
    raise SystemExit(main())
