"""Histograms and results: raw latencies folded into HdrHistogram outside the hot path, merged exactly.

The engine appends raw microsecond latencies to a plain ``array('q')``; once a second the buffer is folded
into an HdrHistogram (:func:`fold`: counted in C by :class:`collections.Counter`, then one
``record_value`` per distinct value), encoded, and shipped as a :class:`Sample`. Worker processes send
their samples to the parent, which decodes and adds them: the merge is exact, bucket by bucket.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour
SIGNIFICANT = 3
PERCENTILES = (50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99)
ERROR_KINDS = ("refused", "reset", "timeout", "dns", "tls", "malformed", "4xx", "5xx", "other")
TRANSPORT_ERRORS = ("refused", "reset", "timeout", "dns", "tls", "malformed", "other")


def new_histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT)


def fold(values: Iterable[int], into: HdrHistogram | None = None) -> HdrHistogram:
    """Record raw microsecond latencies into a histogram (one call per distinct value)."""
    hist = into if into is not None else new_histogram()
    for value, count in Counter(values).items():
        hist.record_value(min(max(value, LOWEST_US), HIGHEST_US), count)
    return hist


def percentile_label(p: float) -> str:
    return f"p{p:g}"


@dataclass
class Sample:
    """One worker's second: counts plus the encoded histograms. Picklable; sent between processes."""

    index: int  # seconds since the measured start
    sent: int = 0
    completed: int = 0
    unfinished: int = 0  # sent, then cut off unanswered by the deadline or Ctrl-C
    connections: int = 0  # connections established
    bytes_in: int = 0
    status: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    latency: bytes = b""  # encoded histogram: corrected (open model) or plain (closed model)
    uncorrected: bytes = b""  # open model only: measured from the actual send
    cpu: float = 0.0  # seconds of CPU this worker used in the interval
    wall: float = 1.0
    loop_lag_max_us: int = 0
    schedule_lag_max_us: int = 0
    schedule_lag_sum_us: int = 0
    schedule_ticks: int = 0
    worker: int = 0
    engine: str = "python"  # which per-request loop ran: "compiled" (_hotloop.c) or "python"


@dataclass
class Interval:
    """One second of the whole run, all workers merged."""

    index: int
    sent: int = 0
    completed: int = 0
    unfinished: int = 0
    connections: int = 0
    bytes_in: int = 0
    status: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latency: HdrHistogram | None = None
    uncorrected: HdrHistogram | None = None
    cpu_max: float = 0.0  # the busiest worker's CPU share of one core
    loop_lag_max_us: int = 0
    schedule_lag_max_us: int = 0
    workers_seen: int = 0
    wall: float = 0.0

    def add(self, sample: Sample) -> None:
        self.sent += sample.sent
        self.completed += sample.completed
        self.unfinished += sample.unfinished
        self.connections += sample.connections
        self.bytes_in += sample.bytes_in
        self.status.update(sample.status)
        self.errors.update(sample.errors)
        if sample.latency:
            self.latency = _add_encoded(self.latency, sample.latency)
        if sample.uncorrected:
            self.uncorrected = _add_encoded(self.uncorrected, sample.uncorrected)
        self.wall = max(self.wall, sample.wall)
        if sample.wall > 0:
            self.cpu_max = max(self.cpu_max, sample.cpu / sample.wall)
        self.loop_lag_max_us = max(self.loop_lag_max_us, sample.loop_lag_max_us)
        self.schedule_lag_max_us = max(self.schedule_lag_max_us, sample.schedule_lag_max_us)
        self.workers_seen += 1


def _add_encoded(hist: HdrHistogram | None, encoded: bytes) -> HdrHistogram:
    decoded = HdrHistogram.decode(encoded)
    if hist is None:
        hist = new_histogram()
    hist.add(decoded)
    return hist


def summarize(hist: HdrHistogram | None) -> dict[str, Any]:
    """min/mean/stddev/max and the standard percentiles, in microseconds (None when nothing was recorded)."""
    if hist is None or hist.get_total_count() == 0:
        return {"count": 0, "min": None, "mean": None, "stddev": None, "max": None, "percentiles": {}}
    values = hist.get_percentile_to_value_dict(list(PERCENTILES))
    mean, stddev = moments(hist)
    return {
        "count": int(hist.get_total_count()),
        "min": int(hist.get_min_value()),
        "mean": round(mean, 1),
        "stddev": round(stddev, 1),
        "max": int(hist.get_max_value()),
        "percentiles": {percentile_label(p): int(values[p]) for p in PERCENTILES},
    }


def moments(hist: HdrHistogram) -> tuple[float, float]:
    """Mean and standard deviation with HdrHistogram's definition (each bucket at its median equivalent
    value), in one pass over the counts: hdrh's own get_mean_value/get_stddev walk a pure-Python iterator
    per call and cost a noticeable share of a short run's CPU."""
    total = hist.get_total_count()
    if not total:
        return 0.0, 0.0
    weighted: list[tuple[int, int]] = [
        (hist._hdr_median_equiv_value(hist.get_value_from_index(i)), c)
        for i, c in enumerate(hist.counts)
        if c
    ]
    mean = sum(v * c for v, c in weighted) / total
    variance = sum((v - mean) * (v - mean) * c for v, c in weighted) / total
    return float(mean), math.sqrt(variance)


def distribution(hist: HdrHistogram | None, ticks: int = 5) -> list[dict[str, float]]:
    """The percentile curve at log-spaced levels up to 99.999% (the HdrHistogram percentile plot)."""
    if hist is None or hist.get_total_count() == 0:
        return []
    levels = [round(100.0 * (1 - 10 ** (-k / ticks)), 6) for k in range(5 * ticks + 1)] + [100.0]
    values = hist.get_percentile_to_value_dict(levels)
    return [{"percentile": level, "us": int(values[level])} for level in sorted(values)]


@dataclass
class LoaderHealth:
    cpu_max: float = 0.0  # highest one-second CPU share of one core in any worker
    cpu_mean: float = 0.0
    loop_lag_max_us: int = 0
    schedule_lag_max_us: int = 0
    schedule_lag_mean_us: float = 0.0
    bottleneck: bool = False
    reasons: list[str] = field(default_factory=list)


def loader_health(
    intervals: list[Interval], samples_cpu: list[float], lag_sum: int, lag_ticks: int
) -> LoaderHealth:
    health = LoaderHealth()
    intervals = [i for i in intervals if i.wall >= 0.5]  # a short final interval says little
    if intervals:
        health.cpu_max = max(i.cpu_max for i in intervals)
        health.loop_lag_max_us = max(i.loop_lag_max_us for i in intervals)
        health.schedule_lag_max_us = max(i.schedule_lag_max_us for i in intervals)
    if samples_cpu:
        health.cpu_mean = sum(samples_cpu) / len(samples_cpu)
    if lag_ticks:
        health.schedule_lag_mean_us = lag_sum / lag_ticks
    busy = sum(1 for i in intervals if i.cpu_max >= 0.9)
    if intervals and busy >= max(1, math.ceil(len(intervals) / 2)):
        health.reasons.append(f"a load worker used over 90% of a core in {busy} of {len(intervals)} seconds")
    if health.loop_lag_max_us >= 50_000:
        health.reasons.append(f"the event loop stalled up to {health.loop_lag_max_us / 1000:.0f} ms")
    if health.schedule_lag_mean_us >= 2_000:
        health.reasons.append(
            f"requests left {health.schedule_lag_mean_us / 1000:.1f} ms late on average (open model)"
        )
    health.bottleneck = bool(health.reasons)
    return health


def new_buffer() -> array[int]:
    return array("q")
