"""`make demo` runs end to end, and its structure survives `make demo > file`: the section headers are on
stdout among the results (not on stderr), including scaffold verify on the FastAPI project and skill install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_demo_output_keeps_its_structure_in_a_file() -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    env.pop("CI", None)
    proc = subprocess.run(
        ["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=840
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    headers = [line[3:] for line in proc.stdout.splitlines() if line.startswith("== ")]
    wanted = ["stanchion db:", "stanchion decide:", "stanchion scaffold verify:", "stanchion load:"]
    wanted += ["stanchion skill install:", "done:"]
    positions = [next(i for i, h in enumerate(headers) if h.startswith(w)) for w in wanted]
    assert positions == sorted(positions), headers
    assert "\x1b[" not in proc.stdout  # not a terminal: no escapes in the file
    assert "== " not in proc.stderr
    verify = proc.stdout.split("== stanchion scaffold verify:", 1)[1].split("\n== ", 1)[0]
    assert "verdict: PASS" in verify
    skill = proc.stdout.split("== stanchion skill install:", 1)[1].split("\n== ", 1)[0]
    assert "usage: api_scaffolder.py" in skill and "installed skill in skill/senior-backend" in skill
