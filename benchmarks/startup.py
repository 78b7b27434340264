"""Start-up time of `stanchion --help` beside peers' `--help`, median of N runs each, quoted as ratios.

Run: .venv/bin/python benchmarks/startup.py [--runs 15]
Peers: alembic (migrations), http (HTTPie), locust: Python CLIs a backend engineer runs daily.
Peers that are not installed are reported as missing, not guessed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def median_ms(argv: list[str], runs: int) -> float:
    subprocess.run(argv, capture_output=True, check=False)  # warm the page cache once
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    candidates = {
        "stanchion": [str(BIN / "stanchion"), "--help"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "alembic": [str(BIN / "alembic"), "--help"],
        "http (HTTPie)": [str(BIN / "http"), "--help"],
        "locust": [str(BIN / "locust"), "--help"],
    }
    results: dict[str, float] = {}
    for name, argv in candidates.items():
        if not (Path(argv[0]).exists() or shutil.which(argv[0])):
            print(f"{name:<16} not installed (pip install '.[bench]')")
            continue
        results[name] = median_ms(argv, args.runs)
    ours = results["stanchion"]
    print(f"\n`--help` start-up, median of {args.runs} runs (cpu count {os.cpu_count()}):")
    print(f"{'command':<16} {'median ms':>10} {'stanchion / peer':>17}")
    for name, value in results.items():
        print(f"{name:<16} {value:>10.1f} {ours / value:>17.2f}")
    verdict = "PASS" if ours < 100 else "FAIL"
    print(f"\ntarget: stanchion --help under 100 ms: {verdict} ({ours:.1f} ms)")
    return 0 if ours < 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
