"""The closed model over plain HTTP on the compiled loop (``_hotloop.c``), driven from Python in slices.

The C loop owns the connections and the per-request work (write, read, parse with llhttp, one clock reading,
one appended latency); this driver owns time: the once-a-second samples, the warm-up, the deadline of
``-d`` (the run is cut off there: requests in flight are counted as unfinished, and the last sample ends at
the deadline, so rates are over the measured window), Ctrl-C (checked between slices of at most 50 ms) and
the lateness of its own wake-ups, reported as the loop lag. The semantics are the Python engine's
(:mod:`stanchion.load.engine.core`), which still runs the open model, HTTPS, names that do not resolve,
and any machine where the extension was not built.
``STANCHION_LOAD_ENGINE=python`` forces the Python engine.
"""

from __future__ import annotations

import gc
import os
import socket
import time
from array import array
from collections.abc import Callable
from time import perf_counter_ns
from types import ModuleType
from typing import TYPE_CHECKING

from stanchion.load.plan import Plan
from stanchion.load.stats import Sample, fold

if TYPE_CHECKING:
    from stanchion.load.engine._hotloop import Loop

NS = 1_000_000_000
UNBOUNDED = 1 << 62
SLICE = 0.05  # seconds between checks for Ctrl-C, the end of the sending and the next sample


def _module() -> ModuleType | None:
    if os.environ.get("STANCHION_LOAD_ENGINE", "").lower() == "python":
        return None
    try:
        from stanchion.load.engine import _hotloop
    except ImportError:  # not built (no C compiler at install time)
        return None
    return _hotloop


def addresses(plan: Plan) -> tuple[tuple[int, str, int], ...] | None:
    """The numeric address of every target when the compiled loop can run this plan, else None."""
    if plan.open_model or any(t.tls for t in plan.targets) or _module() is None:
        return None
    out: list[tuple[int, str, int]] = []
    for target in plan.targets:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except OSError:
            return None  # the Python engine reports it as a DNS error, per request
        family, _, _, _, sockaddr = infos[0]
        zoned = family == socket.AF_INET6 and len(sockaddr) > 3 and bool(sockaddr[-1])
        if family not in (socket.AF_INET, socket.AF_INET6) or zoned:
            return None  # other families, and IPv6 with a zone (fe80::1%eth0), stay on the Python engine
        out.append((int(family), str(sockaddr[0]), int(sockaddr[1])))
    return tuple(out)


def run(
    plan: Plan,
    where: tuple[tuple[int, str, int], ...],
    emit: Callable[[Sample], None],
    should_stop: Callable[[], bool],
    worker: int,
) -> bool:
    """Run a closed-model slice to the end on the compiled loop; True when it was interrupted."""
    module = _module()
    assert module is not None
    loop = module.Loop(
        where,
        tuple(plan.request_bytes(t) for t in plan.targets),
        plan.concurrency,
        plan.timeout,
        plan.method == "HEAD",
    )
    start = perf_counter_ns()
    measuring = plan.warmup <= 0
    loop.remaining = plan.requests if measuring and plan.requests is not None else UNBOUNDED
    deadline = start + int((plan.warmup + plan.duration) * NS) if plan.duration is not None else None
    next_tick = start + int(plan.warmup * NS) if plan.warmup > 0 else start + NS
    state = _Interval(start, worker)
    interrupted = False
    try:
        while True:
            now = perf_counter_ns()
            if should_stop():
                interrupted = True
                loop.close()  # what is in flight is unfinished
                end = now
                break
            if now >= next_tick and (deadline is None or next_tick < deadline):
                if measuring:
                    emit(state.sample(loop, next_tick))
                else:  # the end of the warm-up: what it recorded is dropped, its answers still due too
                    state.opened = state.sample(loop, next_tick).connections  # connections stay open
                    state.index = 0
                    measuring = True
                    if plan.requests is not None:
                        loop.remaining = plan.requests
                    loop.mark_warm()
                next_tick += NS
                continue
            if deadline is not None and now >= deadline:
                loop.close()  # the deadline: requests in flight are cut off, not waited for
                end = deadline
                break
            wake = min(next_tick, now + int(SLICE * NS))
            if deadline is not None:
                wake = min(wake, deadline)
            done = loop.run(max(0.0, (wake - now) / NS))
            late = (perf_counter_ns() - wake) // 1000
            state.lag_max = max(state.lag_max, late)
            if done:
                end = perf_counter_ns()
                break
        emit(state.sample(loop, end))
    finally:
        loop.close()
    return interrupted


class _Interval:
    """The running second's bookkeeping beside the loop's own counters."""

    def __init__(self, start: int, worker: int) -> None:
        self.index = 0
        self.worker = worker
        self.started = start
        self.cpu_mark = time.process_time()
        self.lag_max = 0
        self.opened = 0  # connections opened during the warm-up, carried into the first measured second

    def sample(self, loop: Loop, now: int) -> Sample:
        """What the loop recorded since the last sample, over the wall time up to ``now`` (the tick's
        scheduled time, or the deadline: a late wake-up does not stretch the window)."""
        raw, status, errors, bytes_in, sent, unfinished, opened = loop.take()
        latency = array("q")
        latency.frombytes(raw)
        cpu = time.process_time()
        sample = Sample(
            index=self.index,
            sent=sent,
            completed=len(latency),
            unfinished=unfinished,
            connections=opened + self.opened,
            bytes_in=bytes_in,
            status=status,
            errors=errors,
            latency=fold(latency).encode() if latency else b"",
            cpu=cpu - self.cpu_mark,
            wall=(now - self.started) / NS,
            loop_lag_max_us=self.lag_max,
            worker=self.worker,
            engine="compiled",
        )
        self.index += 1
        self.cpu_mark = cpu
        self.started = now
        self.lag_max = 0
        self.opened = 0
        gc.collect(1)  # the encoded histograms are reference cycles: keep memory flat (see core._emit)
        return sample
