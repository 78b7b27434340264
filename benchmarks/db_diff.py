"""`stanchion db diff` of two 1,000-table PostgreSQL schemas beside migra, the schema-diff peer.

The second schema changes one table in ten (a new column) and one in twenty (a wider index). Stanchion is
timed planning the diff (both sides introspected, plan computed) and, separately, with the verification
that applies the plan to a scratch copy and diffs again. migra runs from its own venv under
`.cache/bench-migra` (it needs psycopg2 and an older setuptools, kept out of the project's venv).
Target: the diff of two 1,000-table schemas in under 5 s.

Run: .venv/bin/python benchmarks/db_diff.py [--tables 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.servers import PostgresServer

from benchmarks.db_analyze import create, median_s, schema_sql

ROOT = Path(__file__).resolve().parent.parent
MIGRA_VENV = ROOT / ".cache" / "bench-migra"


def migra_bin() -> Path | None:
    exe = MIGRA_VENV / "bin" / "migra"
    if exe.exists():
        return exe
    venv.create(MIGRA_VENV, with_pip=True)
    pip = MIGRA_VENV / "bin" / "pip"
    proc = subprocess.run(
        [
            str(pip),
            "install",
            "--quiet",
            "migra==3.0.1663481299",
            "psycopg2-binary",
            "setuptools<80",
            "sqlalchemy<2",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        print(f"migra could not be installed: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return exe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from stanchion.db.schema.source import diff

    server = PostgresServer().start()
    try:
        a = create(server, "bench_diff_a", schema_sql(args.tables))
        b = create(server, "bench_diff_b", schema_sql(args.tables, variant=1))
        planned = diff(a, b, verify=False)
        steps = len(planned.up)
        plan_s = median_s(lambda: diff(a, b, verify=False), args.runs)
        start = time.perf_counter()
        verified = diff(a, b, verify=True)
        verify_s = time.perf_counter() - start
        assert verified.verification is not None
        rows = [
            (f"stanchion db diff --no-verify ({steps} statements)", plan_s),
            (f"stanchion db diff, verified={verified.verification.verified}", verify_s),
        ]
        exe = migra_bin()
        if exe is not None:
            pg_a = a.replace("postgresql://", "postgresql+psycopg2://", 1)
            pg_b = b.replace("postgresql://", "postgresql+psycopg2://", 1)

            def run_migra() -> None:
                subprocess.run(
                    [str(exe), "--unsafe", pg_a, pg_b], capture_output=True, check=False, timeout=600
                )

            out = subprocess.run(
                [str(exe), "--unsafe", pg_a, pg_b], capture_output=True, text=True, check=False
            )
            if out.returncode not in (0, 2):  # migra exits 2 when it found differences
                print(f"migra failed: {out.stderr.strip().splitlines()[-1:]}")
            migra_steps = sum(1 for line in out.stdout.splitlines() if line.strip().endswith(";"))
            rows.append((f"migra --unsafe ({migra_steps} statements)", median_s(run_migra, args.runs)))
        print(f"two {args.tables}-table schemas")
        print("| run | seconds | ratio to stanchion plan |")
        print("|---|---:|---:|")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.3f} | {seconds / plan_s:.2f} |")
        print(f"target: diff under 5 s -> {'met' if plan_s < 5 else 'NOT met'} ({plan_s:.3f} s)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
