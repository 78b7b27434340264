"""Acceptance 4: memory stays flat with run length. A 60 s run's peak RSS is within 20% of a 10 s run's
at the same rate; both run at once, each in its own process, and report their own peak (getrusage). The
open model runs on the Python engine; the closed model, run beside it the same way, on the compiled loop."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.load.conftest import ROOT, BehaviourServer

RATE = 1500


CLOSED = "closed:2"  # two connections against a 5 ms answer: a few hundred requests a second


def test_peak_rss_does_not_grow_with_run_length(server: BehaviourServer) -> None:
    def start(url: str, load: str, seconds: int) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.load.memory_probe", url, load, str(seconds)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    delayed = server.url("/delay/5")
    runs = [start(server.url("/"), str(RATE), 60), start(server.url("/"), str(RATE), 10)]
    runs += [start(delayed, CLOSED, 60), start(delayed, CLOSED, 10)]
    outputs = [proc.communicate(timeout=120) for proc in runs]
    assert all(proc.returncode == 0 for proc in runs), "".join(err for _, err in outputs)
    long, short, closed_long, closed_short = (json.loads(out) for out, _ in outputs)
    assert short["sent"] == RATE * 10 and long["sent"] == RATE * 60  # six times the requests...
    assert long["peak_kb"] <= short["peak_kb"] * 1.20, (short, long)  # ...in the same memory
    assert closed_long["engine"] == closed_short["engine"] == "compiled"
    # six times the seconds (one timeline row each, however many requests the machine managed)...
    assert (closed_long["seconds"], closed_short["seconds"]) == (60, 10) and closed_short["completed"] > 0
    assert closed_long["peak_kb"] <= closed_short["peak_kb"] * 1.20, (closed_short, closed_long)
