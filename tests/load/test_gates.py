"""Acceptance 6: thresholds, baseline, compare, --expect-status and --expect-rate-limit exit 1 on a breach
and 0 otherwise, each tested both ways through the real command.

No gate here passes or fails on how fast the machine is. Thresholds are set where the server decides the
outcome (a 10 ms server cannot answer in under 5 ms); baselines and comparisons run on counts
(``--metrics error_rate,requests``) against servers that answer in a fixed way; the latency comparison
itself is checked on fixed numbers. The rate-limit server counts requests, not seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from stanchion.load.compare import compare, parse_metrics
from tests.load.conftest import BehaviourServer, run_cli

QUICK = ("-n", "200", "-c", "10", "--workers", "1")
COUNTS = ("--metrics", "error_rate,requests")


def test_thresholds_pass_and_fail(server: BehaviourServer) -> None:
    ok = run_cli(server.url("/delay/10"), *QUICK, "--threshold", "p50>5ms,error_rate<0.1%,requests>=200")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "thresholds: passed" in ok.stdout
    bad = run_cli(server.url("/delay/10"), *QUICK, "--threshold", "p50<5ms,error_rate<0.1%")
    assert bad.returncode == 1
    assert "thresholds: FAILED" in bad.stdout and "FAIL" in bad.stdout


def test_error_rate_threshold(server: BehaviourServer) -> None:
    # half the connections ask for a 503, and each of the ten gets one of the 200 requests at least: over 1%
    bad = run_cli(server.url("/"), server.url("/status/503"), *QUICK, "--threshold", "error_rate<1%")
    assert bad.returncode == 1 and "thresholds: FAILED" in bad.stdout


def test_baseline_on_counts_pass_and_regression(server: BehaviourServer, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    saved = run_cli(server.url("/"), *QUICK, "--output", "json", "--save", str(base))
    assert saved.returncode == 0, saved.stderr
    assert json.loads(base.read_text())["schema"] == "stanchion.load/1"
    same = run_cli(server.url("/"), *QUICK, "--baseline", str(base), *COUNTS)
    assert same.returncode == 0, same.stdout
    assert (
        "before" in same.stdout and "after" in same.stdout and "p99" not in same.stdout.split("baseline")[1]
    )
    half = run_cli(server.url("/"), server.url("/status/503"), *QUICK, "--compare", str(base), *COUNTS)
    assert half.returncode == 1, half.stdout  # half the answers now fail: the error rate regressed
    assert "error_rate" in half.stdout and "REGRESSION" in half.stdout


def test_compare_two_urls_on_counts(server: BehaviourServer) -> None:
    good, failing, half = server.url("/"), server.url("/status/503"), server.url("/quota/100")
    better = run_cli(half, good, "--compare", *QUICK, *COUNTS)  # 50% errors before, none after
    assert better.returncode == 0, better.stdout
    assert better.stdout.count("GET http://127.0.0.1") == 2  # both runs reported side by side
    assert "compare http://" in better.stdout and "REGRESSION" not in better.stdout
    worse = run_cli(good, failing, "--compare", *QUICK, *COUNTS, "--json")
    assert worse.returncode == 1
    doc = json.loads(worse.stdout)
    assert len(doc["runs"]) == 2
    gate = next(g for g in doc["gates"] if g["gate"].startswith("compare"))
    assert gate["passed"] is False and [r["metric"] for r in gate["rows"]] == ["error_rate", "requests"]


def test_latency_comparison_on_fixed_numbers() -> None:
    before = {
        "p50": 10_000.0,
        "p90": 12_000.0,
        "p99": 20_000.0,
        "mean": 10_500.0,
        "rps": 900.0,
        "error_rate": 0.0,
    }
    slower = {**before, "p99": 51_000.0}
    assert compare(before, before, 0.10, "same").passed
    report = compare(before, slower, 1.5, "slower")  # +155% against 150% allowed
    assert not report.passed and [r.metric for r in report.rows if not r.ok] == ["p99"]
    assert compare(before, {**before, "rps": 400.0}, 0.5, "fewer").rows[4].ok is False  # throughput -56%
    counts = compare(
        {"errors": 0.0, "requests": 100.0},
        {"errors": 3.0, "requests": 100.0},
        0.1,
        "c",
        ("errors", "requests"),
    )
    assert [r.ok for r in counts.rows] == [False, True]
    assert parse_metrics("error_rate, requests") == ("error_rate", "requests")


def test_unknown_comparison_metric_is_a_usage_error(server: BehaviourServer) -> None:
    proc = run_cli(server.url("/"), server.url("/"), "--compare", "--metrics", "speed", "-n", "5")
    assert proc.returncode == 2 and "unknown comparison metric 'speed'" in proc.stderr
    assert server.count()["count"] == 0  # refused before anything was sent


def test_expect_status(server: BehaviourServer) -> None:
    assert run_cli(server.url("/status/400"), *QUICK, "--expect-status", "400").returncode == 0
    wrong = run_cli(server.url("/status/200"), *QUICK, "--expect-status", "400")
    assert wrong.returncode == 1 and "expect status 400: FAILED" in wrong.stdout


def test_expect_rate_limit(server: BehaviourServer) -> None:
    # the quota server answers 429 after its 100th request, on a fast machine or a slow one
    limited = run_cli(
        server.url("/quota/100"), "--stages", "2s:400", "-c", "10", "--workers", "1", "--expect-rate-limit"
    )
    assert limited.returncode == 0, limited.stdout + limited.stderr
    assert "first 429 at" in limited.stdout
    never = run_cli(server.url("/"), "-r", "100", "-d", "1", "--workers", "1", "--expect-rate-limit")
    assert never.returncode == 1 and "no 429 seen" in never.stdout


def test_expect_rate_limit_in_the_closed_model(server: BehaviourServer) -> None:
    """The classic form: --concurrency N --duration D --expect-rate-limit."""
    proc = run_cli(
        server.url("/quota/20"),
        "--concurrency",
        "4",
        "--duration",
        "1",
        "--workers",
        "1",
        "--expect-rate-limit",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "expect rate limit (429): passed" in proc.stdout
