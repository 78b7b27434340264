"""The hot path: one keep-alive connection as a bare ``asyncio.Protocol`` with an httptools parser.

Per request it does almost nothing: write prebuilt bytes, take two clock readings, append one integer to a
preallocated ``array('q')`` and bump one list slot for the status code. No coroutines, futures, timers or
dictionaries per request. Timeouts are found by the engine's periodic sweep, not by a timer per request.
"""

from __future__ import annotations

import asyncio
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from httptools import HttpParserError, HttpResponseParser

if TYPE_CHECKING:
    from stanchion.load.engine.core import Engine


class Connection(asyncio.Protocol):
    __slots__ = (
        "busy",
        "closed",
        "engine",
        "got_bytes",
        "intended",
        "parser",
        "request",
        "sent",
        "served",
        "target",
        "transport",
        "warm",
    )

    def __init__(self, engine: Engine, target: int) -> None:
        self.engine = engine
        self.target = target
        self.request: bytes = engine.request_bytes[target]
        self.parser = HttpResponseParser(self)
        self.transport: Any = None
        self.busy = False
        self.closed = False
        self.got_bytes = False
        self.sent = 0
        self.intended = 0
        self.served = 0
        self.warm = False  # the request in flight was sent during warm-up: its answer is not measured

    # -- asyncio.Protocol ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.engine.bytes_in += len(data)
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except HttpParserError:
            self.fail("malformed")

    def eof_received(self) -> bool | None:
        return None  # let the transport close; connection_lost decides what it meant

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closed:
            return
        self.closed = True
        self.engine.lost(self, exc)

    # -- httptools callbacks ---------------------------------------------------------------------
    def on_message_complete(self) -> None:
        """Open model: latency from the intended send time, and from the actual send beside it."""
        now = perf_counter_ns()
        engine = self.engine
        if self.warm:
            self.warm = False
        else:
            engine.latency.append((now - self.intended) // 1000)
            engine.uncorrected.append((now - self.sent) // 1000)
            engine.status[self.parser.get_status_code()] += 1
        self.busy = False
        self.got_bytes = False
        self.served += 1
        if self.parser.should_keep_alive():
            engine.ready(self)
        else:
            self.close()
            engine.replace(self)

    # -- driven by the engine --------------------------------------------------------------------
    def send(self, intended: int) -> None:
        """Send the next request; ``intended`` is its scheduled time (0: now; negative: a warm-up arrival)."""
        self.busy = True
        self.sent = now = perf_counter_ns()
        if intended < 0:
            self.warm = True
            intended = -intended
        self.intended = intended or now
        self.transport.write(self.request)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def fail(self, kind: str) -> None:
        """An error on this connection: count it once, drop the connection, let the engine replace it."""
        if self.closed:
            return
        self.closed = True
        if self.busy:
            self.busy = False
            if not self.warm:
                self.engine.record_error(kind)
        if self.transport is not None:
            self.transport.abort()
        self.engine.replace(self)


class ClosedConnection(Connection):
    """Closed model: the next request goes out from inside the completion callback, one clock reading
    serving as both this response's end and the next request's start. ``engine.remaining`` is the whole
    budget check (the engine zeroes it to stop)."""

    __slots__ = ()

    def on_message_complete(self) -> None:
        now = perf_counter_ns()
        engine = self.engine
        if self.warm:
            self.warm = False
        else:
            engine.latency.append((now - self.sent) // 1000)
            engine.status[self.parser.get_status_code()] += 1
        self.got_bytes = False
        self.served += 1
        if not self.parser.should_keep_alive():
            self.busy = False
            self.close()
            engine.replace(self)
        elif engine.remaining:
            engine.remaining -= 1
            self.sent = self.intended = now
            self.transport.write(self.request)
        else:
            self.busy = False
            engine.ready(self)
