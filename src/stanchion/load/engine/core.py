"""One process's share of a load test: connections, the closed or open model, and once-a-second samples.

:func:`run_engine` runs an :class:`Engine` (one :class:`~stanchion.load.plan.Plan` slice) on a fresh
uvloop loop, which hands a :class:`~stanchion.load.stats.Sample` to ``emit`` every second. Everything
periodic (the sample, the timeout sweep, the loop-lag probe, the arrival scheduler) runs on timers beside
the connections; the per-request path is in :mod:`stanchion.load.engine.connection`.

A run bounded by time (``-d``, ``--stages``) is cut off at its deadline (:meth:`Engine._cut`): requests in
flight, and arrivals queued for a connection, are counted as unfinished rather than waited for, and the
last sample ends at the deadline, so rates are over the measured window. Ctrl-C cuts the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from httptools import HttpParserError

from stanchion.load.engine.connection import ClosedConnection, Connection
from stanchion.load.engine.schedule import Schedule
from stanchion.load.plan import Plan
from stanchion.load.stats import Sample, fold, new_buffer

NS = 1_000_000_000
UNBOUNDED = 1 << 62
RETRY_DELAY = 0.01  # after a failed connect, so a refusing server does not spin the loader
LAG_PROBE = 0.05
TIMER_TICK = 0.001  # libuv's timer resolution


def classify(exc: BaseException | None) -> str:
    """The error category of a failed connect or a lost connection."""
    if isinstance(exc, socket.gaierror):
        return "dns"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, HttpParserError):
        return "malformed"
    if exc is None or isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "reset"
    return "other"


def build_schedule(plan: Plan) -> Schedule:
    scale = plan.rate_scale
    ramps: list[tuple[float, float, float]] = []
    if plan.stages:
        first = plan.stages[0].target * scale
        if plan.warmup:
            ramps.append((plan.warmup, first, first))
        previous = 0.0
        for stage in plan.stages:
            ramps.append((stage.duration, previous, stage.target * scale))
            previous = stage.target * scale
    else:
        rate = (plan.rate or 0.0) * scale
        ramps.append((plan.warmup + (plan.duration or 0.0), rate, rate))
    return Schedule(ramps, plan.phase)


class Engine:
    """State shared by one process's connections. Attributes touched per request are plain fields."""

    def __init__(
        self, plan: Plan, emit: Callable[[Sample], None], should_stop: Callable[[], bool], worker: int
    ) -> None:
        self.plan = plan
        self.emit = emit
        self.should_stop = should_stop
        self.worker = worker
        self.open_model = plan.open_model
        self.request_bytes = [plan.request_bytes(t) for t in plan.targets]
        # hot-path recording state
        self.latency = new_buffer()
        self.uncorrected = new_buffer()
        self.status = [0] * 600
        self.bytes_in = 0
        # bookkeeping
        self.sent = 0
        self.unfinished = 0  # sent and never answered: cut off by the deadline or Ctrl-C
        self.opened = 0  # connections established (the warm-up's are carried into the first sample)
        self.errors: dict[str, int] = {}
        self.remaining = UNBOUNDED  # closed model: requests still to send (zeroed to stop)
        self.remaining_mark = UNBOUNDED  # its value at the last sample: the difference is what was sent
        self.stopping = False
        self.interrupted = False
        self.connecting = 0
        self.conns: set[Connection] = set()
        # open model, per target: parked connections and arrivals waiting for one (round-robin across targets)
        self.idle: list[list[Connection]] = [[] for _ in plan.targets]
        self.pending: list[deque[int]] = [deque() for _ in plan.targets]
        self.next_arrival = 0
        self.addresses: dict[int, tuple[Any, ...]] = {}
        self.unresolvable: dict[int, socket.gaierror] = {}
        self.ssl_context = self._ssl_context() if any(t.tls for t in plan.targets) else None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.done: asyncio.Future[None] | None = None
        self.deadline: int | None = None  # perf_counter_ns of the end of a time-bounded run
        self.schedule: Schedule | None = None  # open model: the arrivals, and the next one not dispatched
        self.next_k = 0
        self.cut_at_deadline = False
        self.next_target = 0
        # interval bookkeeping
        self.index = 0
        self.measuring = plan.warmup <= 0
        self.interval_start = 0
        self.cpu_mark = 0.0
        self.loop_lag_max = 0
        self.sched_lag_max = 0
        self.sched_lag_sum = 0
        self.sched_ticks = 0
        self.last_status = [0] * 600

    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.plan.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    # -- connections -----------------------------------------------------------------------------
    def spawn(self, target: int | None = None) -> None:
        if self.stopping or self.loop is None:
            return
        if target is None:
            target = self.next_target
            self.next_target = (self.next_target + 1) % len(self.plan.targets)
        self.connecting += 1
        self.loop.create_task(self._connect(target))

    async def _connect(self, index: int) -> None:
        assert self.loop is not None
        target = self.plan.targets[index]
        conn = Connection(self, index) if self.open_model else ClosedConnection(self, index)
        try:
            if index in self.unresolvable:
                raise self.unresolvable[index]  # resolve once: a failing name is not asked again per retry
            address = self.addresses.get(index)
            if address is None:
                infos = await asyncio.wait_for(
                    self.loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM),
                    self.plan.timeout,
                )
                address = infos[0][4]
                self.addresses[index] = address
            await asyncio.wait_for(
                self.loop.create_connection(
                    lambda: conn,
                    host=address[0],
                    port=address[1],
                    ssl=self.ssl_context if target.tls else None,
                    server_hostname=target.host if target.tls else None,
                ),
                self.plan.timeout,
            )
        except (OSError, ssl.SSLError, ssl.CertificateError, TimeoutError) as exc:
            if isinstance(exc, socket.gaierror):
                self.unresolvable[index] = exc
            self.connecting -= 1
            self._connect_failed(index, classify(exc))
            return
        self.connecting -= 1
        self.opened += 1
        if self.stopping:
            conn.close()
            self._check_done()
            return
        self.conns.add(conn)
        self.ready(conn)

    def _connect_failed(self, index: int, kind: str) -> None:
        if self.open_model:
            if self.pending[index]:
                self.pending[index].popleft()
                self.record_error(kind)
        elif self.remaining > 0:
            self.remaining -= 1
            self.record_error(kind)
        if self.stopping or (not self.open_model and self.remaining == 0):
            self._check_done()
            return
        assert self.loop is not None
        self.loop.call_later(RETRY_DELAY, self.spawn, index)

    def ready(self, conn: Connection) -> None:
        """A connection is free: give it the next request, or park it."""
        if self.open_model:
            waiting = self.pending[conn.target]
            if waiting:
                conn.send(waiting.popleft())
            else:
                self.idle[conn.target].append(conn)
                if self.stopping:
                    self._check_done()
        elif self.remaining > 0:
            self.remaining -= 1
            conn.send(0)
        else:
            self.idle[conn.target].append(conn)
            self._check_done()

    def lost(self, conn: Connection, exc: Exception | None) -> None:
        """The peer closed or broke the connection."""
        if conn.busy:
            conn.busy = False
            if conn.warm:
                pass  # a warm-up request: neither resent nor counted
            elif conn.served > 0 and not conn.got_bytes and exc is None:
                # a keep-alive connection the server had already closed: resend on a fresh one
                if self.open_model:
                    self.pending[conn.target].appendleft(conn.intended)
                else:
                    if self.stopping:
                        self.remaining_mark -= 1  # not resent after the end: not counted as sent
                    else:
                        self.remaining += 1
            else:
                self.record_error(classify(exc))  # closed or reset before the response was complete
        self.replace(conn)

    def replace(self, conn: Connection) -> None:
        self.conns.discard(conn)
        if conn in self.idle[conn.target]:
            self.idle[conn.target].remove(conn)
        if self.stopping or (not self.open_model and self.remaining == 0):
            self._check_done()
        else:
            self.spawn(conn.target)

    def record_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    # -- the open model's arrivals ---------------------------------------------------------------
    def _dispatch(self, intended: int) -> None:
        self.sent += 1
        target = self.next_arrival
        self.next_arrival = (target + 1) % len(self.idle)
        if self.idle[target]:
            self.idle[target].pop().send(intended)
        else:
            self.pending[target].append(intended)

    def _scheduler(self, schedule: Schedule, start: int, k: int) -> None:
        assert self.loop is not None
        if self.stopping:
            return
        now = perf_counter_ns()
        due = schedule.time_of(k)
        if due is not None and start + int(due * NS) <= now:
            lag = (now - start - int(due * NS)) // 1000
            self.sched_lag_max = max(self.sched_lag_max, lag)
            self.sched_lag_sum += lag
            self.sched_ticks += 1
        while due is not None:
            intended = start + int(due * NS)
            if intended > now:
                break
            self._dispatch(intended)
            k += 1
            due = schedule.time_of(k)
        self.next_k = k
        if due is None:
            return  # every arrival dispatched: the deadline ends the run
        # The loop's timers tick in milliseconds: a shorter wait would spin. Arrivals due within the tick
        # go out at the next wake-up, measured from their intended time (the lateness is the schedule lag).
        delay = max(TIMER_TICK, (start + int(due * NS) - perf_counter_ns()) / NS)
        self.loop.call_later(delay, self._scheduler, schedule, start, k)

    # -- periodic work ---------------------------------------------------------------------------
    def _probe(self, expected: int) -> None:
        assert self.loop is not None
        now = perf_counter_ns()
        self.loop_lag_max = max(self.loop_lag_max, (now - expected) // 1000)
        if self.should_stop() and not self.interrupted:
            self.interrupted = True
            self._cut(at_deadline=False)
            return
        if self.done is not None and self.done.done():
            return
        self._sweep(now)
        self.loop.call_later(LAG_PROBE, self._probe, perf_counter_ns() + int(LAG_PROBE * NS))

    def _sweep(self, now: int) -> None:
        limit = int(self.plan.timeout * NS)
        for conn in [c for c in self.conns if c.busy and now - c.sent > limit]:
            conn.fail("timeout")
        if self.open_model:
            # arrivals that waited longer than the timeout for a connection are timeouts; this also
            # bounds the queue when the server cannot keep up with the rate
            for waiting in self.pending:
                while waiting and now - abs(waiting[0]) > limit:
                    if waiting.popleft() > 0:  # warm-up arrivals (negative) are not counted
                        self.record_error("timeout")
            if self.stopping:
                self._check_done()

    def _tick(self, at: int) -> None:
        """Once a second from the measured start: fold the buffers into a sample and emit it."""
        assert self.loop is not None
        if self.done is not None and self.done.done():
            return
        if self.deadline is not None and at >= self.deadline:
            return  # the cut at the deadline emits the last second
        self._emit(at)
        nxt = at + NS
        self.loop.call_later(max(0.0, (nxt - perf_counter_ns()) / NS), self._tick, nxt)

    def _emit(self, now: int) -> None:
        latency, self.latency = self.latency, new_buffer()
        uncorrected, self.uncorrected = self.uncorrected, new_buffer()
        status = {
            code: n - self.last_status[code]
            for code, n in enumerate(self.status)
            if n != self.last_status[code]
        }
        self.last_status = list(self.status)
        cpu = time.process_time()
        sample = Sample(
            index=self.index,
            sent=self.sent + (self.remaining_mark - self.remaining),
            completed=len(latency),
            unfinished=self.unfinished,
            connections=self.opened,
            bytes_in=self.bytes_in,
            status=status,
            errors=dict(self.errors),
            latency=fold(latency).encode() if latency else b"",
            uncorrected=fold(uncorrected).encode() if uncorrected else b"",
            cpu=cpu - self.cpu_mark,
            wall=(now - self.interval_start) / NS,
            loop_lag_max_us=self.loop_lag_max,
            schedule_lag_max_us=self.sched_lag_max,
            schedule_lag_sum_us=self.sched_lag_sum,
            schedule_ticks=self.sched_ticks,
            worker=self.worker,
        )
        self.sent = self.bytes_in = self.unfinished = 0
        self.remaining_mark = self.remaining
        self.errors = {}
        self.loop_lag_max = self.sched_lag_max = self.sched_lag_sum = self.sched_ticks = 0
        self.cpu_mark = cpu
        self.interval_start = now
        if self.measuring:
            self.emit(sample)
            self.index += 1
            self.opened = 0
        else:
            self.measuring = True
            if not self.open_model and self.plan.requests is not None:
                self.remaining = self.remaining_mark = self.plan.requests
            for conn in self.conns:  # answers to warm-up requests still in flight are not measured
                if conn.busy:
                    conn.warm = True
            for index, waiting in enumerate(self.pending):
                self.pending[index] = deque(-intended for intended in waiting)
        # hdrh histograms are reference cycles (histogram <-> encoder) holding ~190 KB of counts each;
        # collect them every second so memory stays flat instead of waiting for a rare full collection
        gc.collect(1)

    # -- ending ----------------------------------------------------------------------------------
    def _check_done(self) -> None:
        if self.done is None or self.done.done():
            return
        finished = self.stopping or (not self.open_model and self.remaining == 0)
        if not finished or self.connecting or any(c.busy for c in self.conns):
            return
        waiting = any(self.pending)
        if not waiting or not self.conns:  # all answered, or queued arrivals no connection can take
            self.done.set_result(None)

    def _cut(self, at_deadline: bool) -> None:
        """End the run now (the deadline, or Ctrl-C): what is in flight or queued is unfinished."""
        if self.done is None or self.done.done():
            return
        if at_deadline and self.schedule is not None:
            # arrivals due before the deadline that a late wake-up had not dispatched yet: due, never sent
            while self.schedule.time_of(self.next_k) is not None:
                self.sent += 1
                self.unfinished += 1
                self.next_k += 1
        self.cut_at_deadline = at_deadline
        self.stopping = True
        self.remaining_mark -= self.remaining  # what was not sent is not counted as sent
        self.remaining = 0
        for waiting in self.pending:
            self.unfinished += sum(1 for intended in waiting if intended > 0)  # warm-up ones are negative
            waiting.clear()
        for conn in list(self.conns):
            if conn.busy and not conn.warm:
                self.unfinished += 1
            conn.busy = False
            conn.closed = True
            if conn.transport is not None:
                conn.transport.abort()
        self.conns.clear()
        self.done.set_result(None)

    async def main(self) -> None:
        self.loop = loop = asyncio.get_running_loop()
        self.done = loop.create_future()
        start = perf_counter_ns()
        self.interval_start = start
        self.cpu_mark = time.process_time()
        measured_start = start + int(self.plan.warmup * NS)
        if self.plan.warmup <= 0 and self.plan.requests is not None:
            self.remaining = self.remaining_mark = self.plan.requests
        for _ in range(self.plan.concurrency):
            self.spawn()
        if self.plan.run_seconds is not None:
            length = self.plan.warmup + self.plan.run_seconds
            self.deadline = start + int(length * NS)
            loop.call_later(max(0.0, (self.deadline - perf_counter_ns()) / NS), self._cut, True)
        if self.open_model:
            self.schedule = build_schedule(self.plan)
            self._scheduler(self.schedule, start, 0)
        loop.call_later(LAG_PROBE, self._probe, perf_counter_ns() + int(LAG_PROBE * NS))
        first = measured_start if self.plan.warmup > 0 else start + NS
        loop.call_later(max(0.0, (first - perf_counter_ns()) / NS), self._tick, first)
        await self.done
        end = perf_counter_ns()
        if self.cut_at_deadline and self.deadline is not None:
            end = self.deadline  # the measured window ends at the deadline, not at the timer's wake-up
        self._emit(end)
        for conn in list(self.conns):
            conn.close()
        await asyncio.sleep(0)


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def run_engine(engine: Engine) -> bool:
    """Run one slice's engine to the end on a fresh uvloop loop; True when it was interrupted."""
    loop = new_loop()
    try:
        loop.run_until_complete(engine.main())
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    return engine.interrupted
