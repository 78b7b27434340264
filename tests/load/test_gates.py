"""Acceptance 6: thresholds, baseline, compare, --expect-status and --expect-rate-limit exit 1 on a breach
and 0 otherwise, each tested both ways through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.load.conftest import BehaviourServer, run_cli

QUICK = ("-n", "200", "-c", "10", "--workers", "1")
# Pass cases compare a server with itself (or a faster one) under a wide tolerance, so a noisy machine
# cannot fail them; breach cases make the server 5x slower (+400% latency), far past that tolerance.


def test_thresholds_pass_and_fail(server: BehaviourServer) -> None:
    ok = run_cli(server.url("/delay/10"), *QUICK, "--threshold", "p50>5ms,p99<2s,error_rate<0.1%,rps>10")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "thresholds: passed" in ok.stdout
    bad = run_cli(server.url("/delay/10"), *QUICK, "--threshold", "p50<5ms,error_rate<0.1%")
    assert bad.returncode == 1
    assert "thresholds: FAILED" in bad.stdout and "FAIL" in bad.stdout


def test_error_rate_threshold(server: BehaviourServer) -> None:
    bad = run_cli(server.url("/status/503"), *QUICK, "--threshold", "error_rate<1%")
    assert bad.returncode == 1


def test_baseline_pass_and_regression(server: BehaviourServer, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    saved = run_cli(server.url("/delay/10"), *QUICK, "--output", "json", "--save", str(base))
    assert saved.returncode == 0, saved.stderr
    assert json.loads(base.read_text())["schema"] == "stanchion.load/1"
    same = run_cli(server.url("/delay/10"), *QUICK, "--baseline", str(base), "--tolerance", "150%")
    assert same.returncode == 0, same.stdout
    assert "before" in same.stdout and "after" in same.stdout
    slower = run_cli(server.url("/delay/50"), *QUICK, "--compare", str(base), "--tolerance", "150%")
    assert slower.returncode == 1, slower.stdout
    assert "REGRESSION" in slower.stdout


def test_compare_two_urls(server: BehaviourServer) -> None:
    fast, slow = server.url("/delay/50"), server.url("/delay/10")
    better = run_cli(fast, slow, "--compare", *QUICK, "--tolerance", "150%")
    assert better.returncode == 0, better.stdout
    assert better.stdout.count("GET http://127.0.0.1") == 2  # both runs reported side by side
    worse = run_cli(slow, fast, "--compare", *QUICK, "--tolerance", "150%", "--json")
    assert worse.returncode == 1
    doc = json.loads(worse.stdout)
    assert len(doc["runs"]) == 2 and doc["gates"][0]["passed"] is False


def test_expect_status(server: BehaviourServer) -> None:
    assert run_cli(server.url("/status/400"), *QUICK, "--expect-status", "400").returncode == 0
    wrong = run_cli(server.url("/status/200"), *QUICK, "--expect-status", "400")
    assert wrong.returncode == 1 and "expect status 400: FAILED" in wrong.stdout


def test_expect_rate_limit(server: BehaviourServer) -> None:
    limited = run_cli(
        server.url("/limit/100"), "--stages", "2s:400", "-c", "10", "--workers", "1", "--expect-rate-limit"
    )
    assert limited.returncode == 0, limited.stdout + limited.stderr
    assert "first 429 at" in limited.stdout
    never = run_cli(server.url("/"), "-r", "100", "-d", "1", "--workers", "1", "--expect-rate-limit")
    assert never.returncode == 1 and "no 429 seen" in never.stdout
