"""A finished load test: merged histograms, the per-second timeline, loader health and recommendations.

:class:`Collector` receives the workers' samples as they arrive, merges each second across workers as soon
as every worker has reported it (that is what the live progress line shows), and keeps only small things
per second: counts, a few percentiles and the encoded histogram for ``--hdr-log``. Memory stays flat with
run length. :meth:`LoadResult.to_document` is the versioned JSON document (``stanchion.load/1``).
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

from stanchion.load.plan import Plan
from stanchion.load.stats import (
    TRANSPORT_ERRORS,
    Interval,
    LoaderHealth,
    Sample,
    distribution,
    loader_health,
    new_histogram,
    summarize,
)
from stanchion.probe.ratelimit import rate_limited

SCHEMA = "stanchion.load/1"


def error_counts(status: Counter[int], transport: Counter[str], expect_status: int | None) -> dict[str, int]:
    """Transport errors plus 4xx/5xx responses (an expected status is not an error)."""
    counts = {kind: int(transport.get(kind, 0)) for kind in TRANSPORT_ERRORS}
    counts["4xx"] = sum(n for code, n in status.items() if 400 <= code < 500 and code != expect_status)
    counts["5xx"] = sum(n for code, n in status.items() if 500 <= code < 600 and code != expect_status)
    return {k: v for k, v in counts.items() if v}


@dataclass
class SecondRow:
    """One line of the timeline (what the report's over-time charts draw)."""

    second: int
    requests: int
    completed: int
    rps: float
    mb_per_s: float
    errors: dict[str, int]
    status: dict[int, int]
    p50_us: int | None
    p99_us: int | None
    uncorrected_p99_us: int | None
    cpu_max: float
    loop_lag_max_us: int
    schedule_lag_max_us: int

    def to_json(self) -> dict[str, Any]:
        return {
            "second": self.second,
            "requests": self.requests,
            "completed": self.completed,
            "rps": round(self.rps, 1),
            "mb_per_s": round(self.mb_per_s, 4),
            "errors": self.errors,
            "status": {str(k): v for k, v in sorted(self.status.items())},
            "p50_us": self.p50_us,
            "p99_us": self.p99_us,
            "uncorrected_p99_us": self.uncorrected_p99_us,
            "loader_cpu": round(self.cpu_max, 3),
            "loop_lag_max_us": self.loop_lag_max_us,
            "schedule_lag_max_us": self.schedule_lag_max_us,
        }


@dataclass
class LoadResult:
    plan: Plan
    started_at: float
    elapsed: float
    sent: int
    completed: int
    bytes_in: int
    status: Counter[int]
    transport_errors: Counter[str]
    latency: HdrHistogram
    uncorrected: HdrHistogram | None
    timeline: list[SecondRow]
    interval_histograms: list[tuple[float, float, bytes]]  # (start s, length s, encoded) for --hdr-log
    health: LoaderHealth
    interrupted: bool = False
    workers: int = 1
    rate_limited_at: dict[str, float] | None = None
    recommendations: list[str] = field(default_factory=list)
    engine: str = "python"  # the per-request loop that ran: "compiled" or "python"
    unfinished: int = 0  # sent and cut off unanswered (the deadline of -d, or Ctrl-C)
    connections: int = 0  # connections established over the run
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def errors(self) -> dict[str, int]:
        return error_counts(self.status, self.transport_errors, self.plan.expect_status)

    @property
    def error_total(self) -> int:
        return sum(self.errors.values())

    @property
    def attempts(self) -> int:
        """Requests that got an answer or an error (what error rates are measured against)."""
        return self.completed + sum(self.transport_errors.values())

    @property
    def error_rate(self) -> float:
        return self.error_total / self.attempts if self.attempts else 0.0

    @property
    def successes(self) -> int:
        """Answers with a 2xx or 3xx status."""
        return sum(n for code, n in self.status.items() if 200 <= code < 400)

    @property
    def unreachable(self) -> bool:
        """No connection could be opened at all (refused, DNS, TLS, connect timeout): nothing was tested."""
        return self.connections == 0

    @property
    def unanswered(self) -> bool:
        """Requests went out and not one got a 2xx/3xx answer (none was expected with --expect-status)."""
        return self.sent > 0 and self.successes == 0 and self.plan.expect_status is None

    @property
    def rps(self) -> float:
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        if self._summary is None:
            self._summary = summarize(self.latency)
        return self._summary

    def metrics(self) -> dict[str, float | None]:
        """Flat numbers the gates compare (latencies in microseconds)."""
        lat = self.summary()
        flat: dict[str, float | None] = {
            "min": lat["min"],
            "mean": lat["mean"],
            "stddev": lat["stddev"],
            "max": lat["max"],
            "rps": round(self.rps, 2),
            "error_rate": self.error_rate,
            "errors": float(self.error_total),
            "requests": float(self.sent),
            "mb_per_s": round(self.bytes_in / 1e6 / self.elapsed, 4) if self.elapsed > 0 else 0.0,
        }
        flat.update(lat["percentiles"])
        return flat

    def to_document(self) -> dict[str, Any]:
        plan = self.plan
        doc: dict[str, Any] = {
            "schema": SCHEMA,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started_at)),
            "targets": [t.shown for t in plan.targets],
            "plan": {
                "model": plan.model,
                "method": plan.method,
                "concurrency": plan.concurrency,
                "duration_s": plan.run_seconds,
                "requests": plan.requests,
                "rate": plan.rate,
                "stages": [{"duration_s": s.duration, "rate": s.target} for s in plan.stages],
                "warmup_s": plan.warmup,
                "timeout_s": plan.timeout,
                "workers": self.workers,
                "expect_status": plan.expect_status,
                "body_bytes": len(plan.body),
                "content_type": plan.content_type,
                "content_type_added": plan.json_content_type,
            },
            "interrupted": self.interrupted,
            "elapsed_s": round(self.elapsed, 3),
            "requests": {
                "sent": self.sent,
                "completed": self.completed,
                "unfinished": self.unfinished,
                "errors": self.error_total,
                "error_rate": round(self.error_rate, 6),
            },
            "throughput": {
                "rps": round(self.rps, 2),
                "mb_per_s": self.metrics()["mb_per_s"],
                "bytes_received": self.bytes_in,
            },
            "latency_us": self.summary(),
            "latency_uncorrected_us": summarize(self.uncorrected) if self.uncorrected is not None else None,
            "distribution": distribution(self.latency),
            "status": {str(k): v for k, v in sorted(self.status.items())},
            "errors": self.errors,
            "connections_opened": self.connections,
            "timeline": [row.to_json() for row in self.timeline],
            "loader": {
                "cpu_max": round(self.health.cpu_max, 3),
                "cpu_mean": round(self.health.cpu_mean, 3),
                "loop_lag_max_us": self.health.loop_lag_max_us,
                "schedule_lag_max_us": self.health.schedule_lag_max_us,
                "schedule_lag_mean_us": round(self.health.schedule_lag_mean_us, 1),
                "bottleneck": self.health.bottleneck,
                "reasons": self.health.reasons,
                "engine": self.engine,
            },
            "rate_limited_at": self.rate_limited_at,
            "recommendations": self.recommendations,
        }
        return doc


class Collector:
    """Merges samples second by second across workers; calls ``on_second`` as each second completes."""

    def __init__(
        self, plan: Plan, workers: int, on_second: Callable[[SecondRow], None] | None = None
    ) -> None:
        self.plan = plan
        self.workers = workers
        self.on_second = on_second
        self.pending: dict[int, Interval] = {}
        self.latency = new_histogram()
        self.uncorrected = new_histogram() if plan.open_model else None
        self.timeline: list[SecondRow] = []
        self.encoded: list[tuple[float, float, bytes]] = []
        self.sent = self.completed = self.bytes_in = self.unfinished = self.connections = 0
        self.status: Counter[int] = Counter()
        self.transport: Counter[str] = Counter()
        self.cpu: list[float] = []
        self.lag_sum = self.lag_ticks = 0
        self.closed_intervals: list[Interval] = []
        self.started_at = time.time()
        self.rate_limited_at: dict[str, float] | None = None
        self.walls: dict[int, float] = {}
        self.measured: dict[int, float] = {}
        self.engines: set[str] = set()

    @property
    def elapsed(self) -> float:
        """The measured run length: the longest any worker measured (warm-up excluded)."""
        return max(self.measured.values(), default=0.0)

    def add(self, sample: Sample) -> None:
        self.engines.add(sample.engine)
        interval = self.pending.setdefault(sample.index, Interval(sample.index))
        interval.add(sample)
        self.walls[sample.index] = max(self.walls.get(sample.index, 0.0), sample.wall)
        self.measured[sample.worker] = self.measured.get(sample.worker, 0.0) + sample.wall
        if sample.wall >= 0.5:
            self.cpu.append(sample.cpu / sample.wall)
        self.lag_sum += sample.schedule_lag_sum_us
        self.lag_ticks += sample.schedule_ticks
        if interval.workers_seen >= self.workers:
            self._close(sample.index)

    def flush(self) -> None:
        for index in sorted(self.pending):
            self._close(index)

    def _close(self, index: int) -> None:
        interval = self.pending.pop(index)
        wall = self.walls.pop(index, 1.0) or 1.0
        self.sent += interval.sent
        self.completed += interval.completed
        self.unfinished += interval.unfinished
        self.connections += interval.connections
        self.bytes_in += interval.bytes_in
        self.status.update(interval.status)
        self.transport.update(interval.errors)
        if interval.latency is not None:
            self.latency.add(interval.latency)
        if interval.uncorrected is not None and self.uncorrected is not None:
            self.uncorrected.add(interval.uncorrected)
        if interval.latency is not None:
            self.encoded.append((float(interval.index), wall, interval.latency.encode()))
        row = SecondRow(
            second=interval.index,
            requests=interval.sent,
            completed=interval.completed,
            rps=interval.completed / wall,
            mb_per_s=interval.bytes_in / 1e6 / wall,
            errors=error_counts(interval.status, interval.errors, self.plan.expect_status),
            status=dict(interval.status),
            p50_us=_pct(interval.latency, 50),
            p99_us=_pct(interval.latency, 99),
            uncorrected_p99_us=_pct(interval.uncorrected, 99),
            cpu_max=interval.cpu_max,
            loop_lag_max_us=interval.loop_lag_max_us,
            schedule_lag_max_us=interval.schedule_lag_max_us,
        )
        if self.rate_limited_at is None and rate_limited(interval.status):  # the probe's rule too
            self.rate_limited_at = {
                "second": float(interval.index),
                "request_rate": round(interval.sent / wall, 1),
            }
        interval.latency = interval.uncorrected = None  # keep only the small numbers
        if self.workers > 1:
            gc.collect(1)  # the merged histograms are reference cycles (see engine.core._emit)
        self.closed_intervals.append(interval)
        self.timeline.append(row)
        if self.on_second is not None:
            self.on_second(row)

    def result(self, interrupted: bool) -> LoadResult:
        self.flush()
        elapsed = self.elapsed
        self.timeline.sort(key=lambda r: r.second)
        health = loader_health(self.closed_intervals, self.cpu, self.lag_sum, self.lag_ticks)
        result = LoadResult(
            plan=self.plan,
            started_at=self.started_at,
            elapsed=elapsed,
            sent=self.sent,
            completed=self.completed,
            bytes_in=self.bytes_in,
            status=self.status,
            transport_errors=self.transport,
            latency=self.latency,
            uncorrected=self.uncorrected,
            timeline=self.timeline,
            interval_histograms=self.encoded,
            health=health,
            interrupted=interrupted,
            workers=self.workers,
            rate_limited_at=self.rate_limited_at,
            engine="compiled" if self.engines == {"compiled"} else "python",
            unfinished=self.unfinished,
            connections=self.connections,
        )
        from stanchion.load.advice import recommend

        result.recommendations = recommend(result)
        return result


def _pct(hist: HdrHistogram | None, p: float) -> int | None:
    if hist is None or hist.get_total_count() == 0:
        return None
    return int(hist.get_value_at_percentile(p))
