"""Acceptance 4: memory stays flat with run length. A 60 s run's peak RSS is within 20% of a 10 s run's
at the same rate; both run at once, each in its own process, and report their own peak (getrusage)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.load.conftest import ROOT, BehaviourServer

RATE = 1500


def test_peak_rss_does_not_grow_with_run_length(server: BehaviourServer) -> None:
    def start(seconds: int) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.load.memory_probe", server.url("/"), str(RATE), str(seconds)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    long_run, short_run = start(60), start(10)
    short_out, short_err = short_run.communicate(timeout=60)
    long_out, long_err = long_run.communicate(timeout=120)
    assert short_run.returncode == 0 and long_run.returncode == 0, short_err + long_err
    short, long = json.loads(short_out), json.loads(long_out)
    assert abs(short["sent"] - RATE * 10) <= RATE * 10 * 0.01
    assert abs(long["sent"] - RATE * 60) <= RATE * 60 * 0.01  # six times the requests...
    assert long["peak_kb"] <= short["peak_kb"] * 1.20, (short, long)  # ...in the same memory
