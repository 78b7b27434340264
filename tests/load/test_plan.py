"""The plan: parsing, validation errors, the arrival schedule and how a plan splits across workers."""

from __future__ import annotations

import pytest

from stanchion.errors import UsageError
from stanchion.load.compare import parse_thresholds, parse_tolerance
from stanchion.load.engine.schedule import Schedule
from stanchion.load.plan import build_plan, parse_duration, parse_stages


def test_durations_and_stages() -> None:
    assert parse_duration("30") == 30
    assert parse_duration("250ms") == 0.25
    assert parse_duration("2m") == 120
    stages = parse_stages("30s:100,60s:500")
    assert [(s.duration, s.target) for s in stages] == [(30, 100), (60, 500)]
    with pytest.raises(UsageError):
        parse_stages("30s")
    with pytest.raises(UsageError):
        parse_duration("soon")


def test_constant_schedule_is_exact_and_even() -> None:
    schedule = Schedule.constant(2000, 10)
    times = []
    k = 0
    while (t := schedule.time_of(k)) is not None:
        times.append(t)
        k += 1
    assert len(times) == 20_000
    per_second = [sum(1 for t in times if s <= t < s + 1) for s in range(10)]
    assert per_second == [2000] * 10


def test_ramp_schedule_matches_the_integral_of_the_rate() -> None:
    schedule = Schedule([(10, 0, 100), (10, 100, 100)])  # 500 during the ramp, 1000 after
    count = 0
    while schedule.time_of(count) is not None:
        count += 1
    assert count == 1500
    t_half = schedule.time_of(125)  # N(t) = 5 t^2 during the ramp: 125 arrivals at t = 5 s
    assert t_half is not None and abs(t_half - 5.0) < 1e-9


def test_workers_split_without_losing_or_doubling() -> None:
    plan = build_plan(["http://127.0.0.1:9/"], requests=1001, concurrency=7, workers=3)
    slices = plan.split(plan.workers)
    assert sum(s.requests or 0 for s in slices) == 1001
    assert sum(s.concurrency for s in slices) == 7
    open_plan = build_plan(["http://127.0.0.1:9/"], rate=1000, duration=1, workers=2)
    parts = open_plan.split(2)
    assert sum(p.rate_scale for p in parts) == pytest.approx(1.0)
    assert sorted(p.phase for p in parts) == [0.0, 0.5]


def test_request_bytes_carry_method_headers_and_body() -> None:
    plan = build_plan(
        ["http://127.0.0.1:8080/api?x=1"],
        method="post",
        headers=["Authorization: Bearer t"],
        body='{"a":1}',
        requests=1,
    )
    raw = plan.request_bytes(plan.targets[0])
    assert raw.startswith(b"POST /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
    assert b"Authorization: Bearer t\r\n" in raw
    assert raw.endswith(b'Content-Length: 7\r\n\r\n{"a":1}')


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"rate": 10, "requests": 5}, "--requests is for the closed model"),
        ({"rate": -1}, "invalid --rate"),
        ({"requests": 0}, "invalid --requests"),
        ({"stages": "10s:5", "duration": 5}, "--stages sets the run length"),
        ({"headers": ["no colon"]}, "invalid header"),
        ({"expect_status": 700}, "invalid --expect-status"),
    ],
)
def test_bad_plans_are_usage_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        build_plan(["http://127.0.0.1:9/"], **kwargs)  # type: ignore[arg-type]
    assert fragment in info.value.message
    assert info.value.hint


def test_urls_must_be_http() -> None:
    with pytest.raises(UsageError):
        build_plan(["ftp://example.org/"])
    with pytest.raises(UsageError):
        build_plan([])


def test_thresholds_parse_units() -> None:
    found = {
        t.metric: (t.op, t.value) for t in parse_thresholds("p99<200ms,error_rate<0.1%,rps>1000,p50<=500us")
    }
    assert found == {
        "p99": ("<", 200_000),
        "error_rate": ("<", 0.001),
        "rps": (">", 1000),
        "p50": ("<=", 500),
    }
    assert parse_tolerance("10%") == pytest.approx(0.10)
    with pytest.raises(UsageError):
        parse_thresholds("latency<3")
    with pytest.raises(UsageError):
        parse_thresholds("p99<3%")


def test_loader_health_flags_a_saturated_loader() -> None:
    from stanchion.load.stats import Interval, loader_health

    busy = [Interval(i, cpu_max=0.97, wall=1.0) for i in range(4)]
    health = loader_health(busy, [0.97] * 4, lag_sum=0, lag_ticks=0)
    assert health.bottleneck and "90% of a core" in health.reasons[0]
    calm = [Interval(i, cpu_max=0.2, wall=1.0, loop_lag_max_us=900) for i in range(4)]
    assert not loader_health(calm, [0.2] * 4, lag_sum=100, lag_ticks=10).bottleneck
    late = loader_health(calm, [0.2] * 4, lag_sum=5_000 * 10, lag_ticks=10)  # sends 5 ms late on average
    assert late.bottleneck and "late" in late.reasons[0]
