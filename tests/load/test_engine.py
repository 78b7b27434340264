"""Acceptance 1 and 2: latency is right, counts are exact, the open model keeps its rate and corrects
for coordinated omission. Every load here is bounded and aimed at the test server on 127.0.0.1.

Nothing here passes or fails on how fast the machine is: latencies are checked against bounds the server
and the run impose whatever the load (never below the server's delay, never above the run's wall time),
counts against the schedule's exact arithmetic, and the correction against the order it must keep.
"""

from __future__ import annotations

import json
import time

import pytest
from hdrh.histogram import HdrHistogram

from stanchion.load import build_plan, run
from stanchion.load.stats import summarize
from tests.load.conftest import BehaviourServer, run_cli


@pytest.mark.parametrize("delay_ms", [10, 50])
def test_latency_is_microseconds_between_the_delay_and_the_run(
    server: BehaviourServer, delay_ms: int, engine: str
) -> None:
    """Every latency lies between what the server waited (it cannot answer earlier) and the whole run's
    wall time (no request outlasts the run): a unit or clock error of any size breaks one side."""
    plan = build_plan([server.url(f"/delay/{delay_ms}")], requests=50, concurrency=10, workers=1)
    started = time.perf_counter_ns()
    result = run(plan)
    wall_us = (time.perf_counter_ns() - started) // 1000
    assert result.completed == 50 and not result.errors
    assert result.engine == engine
    summary = summarize(result.latency)
    assert summary["count"] == 50
    assert summary["min"] >= delay_ms * 1000 * 0.999  # HdrHistogram keeps 3 significant digits
    assert summary["max"] <= wall_us * 1.001


def test_exactly_n_requests_reach_the_server(server: BehaviourServer, engine: str) -> None:
    proc = run_cli(server.url("/"), "--users", "10", "--requests", "1234", "--workers", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert server.count()["count"] == 1234
    assert doc["requests"]["sent"] == 1234 and doc["requests"]["completed"] == 1234
    assert doc["latency_us"]["count"] == 1234  # the two workers' histograms merged exactly
    assert doc["plan"]["workers"] == 2
    assert doc["loader"]["engine"] == engine


def test_exact_count_survives_servers_that_close_connections(server: BehaviourServer, engine: str) -> None:
    plan = build_plan([server.url("/close")], requests=300, concurrency=5, workers=1)
    result = run(plan)
    assert server.count()["count"] == 300
    assert result.completed == 300 and not result.errors
    assert result.engine == engine


def test_open_model_rate_is_exact(server: BehaviourServer) -> None:
    """Two workers at 1000/s for 4 s send exactly the 4000 arrivals of the schedule (test_plan checks that
    each second holds its share): an arrival a late wake-up had not sent by the deadline still counts as
    sent, and as unfinished. The measured window is the 4 s, one timeline row a second."""
    proc = run_cli(server.url("/"), "-r", "1000", "-d", "4", "-c", "20", "--workers", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    requests = doc["requests"]
    assert requests["sent"] == 4000
    assert requests["completed"] + requests["unfinished"] + requests["errors"] == 4000
    assert requests["completed"] <= int(server.count()["count"]) <= 4000  # type: ignore[call-overload]
    assert [row["second"] for row in doc["timeline"]] == [0, 1, 2, 3]
    assert sum(row["requests"] for row in doc["timeline"]) == 4000
    assert doc["elapsed_s"] == 4.0
    assert doc["throughput"]["rps"] == round(requests["completed"] / 4.0, 2)


def test_open_model_shows_a_stall_only_when_corrected(server: BehaviourServer) -> None:
    plan = build_plan(
        [server.url("/stall-once/1500/500")], rate=1000, duration=4, concurrency=10, workers=1, timeout=5
    )
    result = run(plan)
    assert result.uncorrected is not None
    corrected = summarize(result.latency)
    uncorrected = summarize(result.uncorrected)
    # Arrivals due during the 500 ms stall are answered after it, and corrected latency counts from when
    # they were due: the 100 or so due in its first 100 ms each show at least 400 ms, however late the
    # loader sent them. That puts the corrected p99 (the 40th slowest of 4000) past 300 ms.
    assert corrected["percentiles"]["p99"] >= 300_000, corrected
    slow = sum(c for v, c in _counts(result.latency) if v >= 400_000)
    assert slow >= 50, corrected
    assert uncorrected["max"] >= 400_000  # the request that started the stall waited it out
    # From the actual send a request is never slower than from its due time: every percentile of the
    # uncorrected view is at or below the corrected one (the stall is what the corrected view adds).
    for label, value in uncorrected["percentiles"].items():
        assert value <= corrected["percentiles"][label], (label, uncorrected, corrected)
    doc = result.to_document()
    assert doc["latency_us"]["percentiles"]["p99"] == corrected["percentiles"]["p99"]
    assert doc["latency_uncorrected_us"]["percentiles"]["p99"] == uncorrected["percentiles"]["p99"]
    from stanchion.load.report.text import render_text

    text = render_text(result)
    assert "corrected for coordinated omission" in text and "uncorrected (from the actual send)" in text


def test_warmup_is_not_measured(server: BehaviourServer) -> None:
    plan = build_plan([server.url("/")], rate=200, duration=1, warmup=1, concurrency=5, workers=1)
    result = run(plan)
    assert result.sent == 200  # only the measured second's arrivals are reported...
    arrived = int(server.count()["count"])  # type: ignore[call-overload]
    assert arrived > result.sent  # ...though warm-up traffic reached the server too
    assert result.completed == sum(result.status.values()) == result.latency.get_total_count()
    assert result.completed + result.unfinished == 200 and result.elapsed == 1.0


def test_warmup_with_an_exact_count(server: BehaviourServer, engine: str) -> None:
    plan = build_plan([server.url("/delay/20")], requests=300, warmup="0.5s", concurrency=10, workers=1)
    result = run(plan)
    assert result.sent == result.completed == 300  # answers to warm-up requests in flight are not counted
    assert sum(result.status.values()) == result.latency.get_total_count() == 300
    assert result.engine == engine


def _counts(hist: HdrHistogram) -> list[tuple[int, int]]:
    """(value, count) of every recorded bucket of a histogram."""
    return [
        (int(item.value_iterated_to), int(item.count_at_value_iterated_to))
        for item in hist.get_recorded_iterator()
    ]
