"""The open model's arrival schedule: when the k-th request is due, for a constant rate or linear ramps.

The cumulative count N(t) is piecewise quadratic (the rate is piecewise linear), so both directions are
closed-form: :meth:`Schedule.time_of` inverts N for the k-th arrival. Intended send times come from here,
never from when the event loop happened to wake up: that is what makes the latency coordinated-omission
corrected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the schedule's start
    length: float
    rate0: float  # requests/s at the start of the segment
    rate1: float  # requests/s at its end
    count0: float  # arrivals due before the segment


class Schedule:
    """Arrivals k = 0, 1, 2, ... at the times where N(t) = k + phase."""

    def __init__(self, ramps: list[tuple[float, float, float]], phase: float = 0.0) -> None:
        """``ramps``: (length seconds, rate at start, rate at end) in order."""
        self.segments: list[Segment] = []
        start = count = 0.0
        for length, rate0, rate1 in ramps:
            self.segments.append(Segment(start, length, rate0, rate1, count))
            count += (rate0 + rate1) / 2 * length
            start += length
        self.total_time = start
        self.total_count = count
        self.phase = phase

    @classmethod
    def constant(cls, rate: float, seconds: float, phase: float = 0.0) -> Schedule:
        return cls([(seconds, rate, rate)], phase)

    def time_of(self, k: int) -> float | None:
        """When arrival ``k`` is due (seconds from the start), or None when it falls after the end."""
        target = k + self.phase
        for seg in self.segments:
            end_count = seg.count0 + (seg.rate0 + seg.rate1) / 2 * seg.length
            if target >= end_count - 1e-9:
                continue  # at or past this segment's end: the next segment (or nothing) holds it
            need = target - seg.count0
            slope = (seg.rate1 - seg.rate0) / seg.length
            if abs(slope) < 1e-12:
                if seg.rate0 <= 0:
                    continue
                return seg.start + need / seg.rate0
            a = slope / 2
            disc = seg.rate0 * seg.rate0 + 4 * a * need
            x = (-seg.rate0 + math.sqrt(max(disc, 0.0))) / (2 * a)
            return seg.start + min(max(x, 0.0), seg.length)
        return None

    def rate_at(self, t: float) -> float:
        for seg in self.segments:
            if seg.start <= t < seg.start + seg.length:
                return seg.rate0 + (seg.rate1 - seg.rate0) * (t - seg.start) / seg.length
        return 0.0
