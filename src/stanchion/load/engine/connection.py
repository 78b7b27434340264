"""The hot path: one keep-alive connection as a bare ``asyncio.Protocol`` with an httptools parser.

Per request it does almost nothing: write prebuilt bytes, take two clock readings, append one integer to a
preallocated ``array('q')`` and bump one list slot for the status code. No coroutines, futures, timers or
dictionaries per request. Timeouts are found by the engine's periodic sweep, not by a timer per request.

A response may also end when the server closes the connection (HTTP/1.0, or ``Connection: close``, with
neither Content-Length nor chunked encoding: RFC 9112 section 6.3, rule 8). httptools has no way to signal
end of input to the parser, so the connection decides that itself, which needs the response headers. Such
a response can only be the first on its connection (the close ends the connection), so each connection
parses its first response through a :class:`FirstResponse` that watches the headers, and every later one
with a parser that has no header callbacks: keep-alive traffic pays nothing for it.

An answer to HEAD has no body, whatever its Content-Length says, and httptools cannot be told so (only an
upgrade skips the body), so it would wait for the announced body until the timeout. When the plan's method
is HEAD, each connection parses through a :class:`HeadParser` instead, which completes every answer at its
headers and starts a fresh parser for the next. That is safe because a connection never pipelines: it
writes its next request only once the previous answer is complete (``Engine.ready`` hands requests to idle
connections only, ``ClosedConnection`` writes from its completion callback), so no byte of the next answer
can arrive in the chunk that ended the previous one. Other methods never meet this class.
"""

from __future__ import annotations

import asyncio
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from httptools import HttpParserError, HttpResponseParser

if TYPE_CHECKING:
    from stanchion.load.engine.core import Engine


NO_BODY = frozenset((204, 304))
INTERIM = frozenset(
    (100, 102, 103)
)  # informational answers before the answer (101 switches protocols: final)


class FirstResponse:
    """Parser callbacks for a connection's first response: learns whether the server's close ends it."""

    __slots__ = ("chunked", "conn", "ends_at_close", "framed", "length")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.length = False  # a Content-Length header was seen
        self.framed = False  # a Transfer-Encoding header was seen
        self.chunked = False  # ... and its final coding is chunked
        self.ends_at_close = False  # headers complete and the body runs until the server closes

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"content-length":
            self.length = True
        elif name == b"transfer-encoding":
            self.framed = True
            self.chunked = value.rsplit(b",", 1)[-1].strip().lower() == b"chunked"

    def on_headers_complete(self) -> None:
        conn = self.conn
        status = conn.parser.get_status_code()
        has_body = status >= 200 and status not in NO_BODY
        self.ends_at_close = has_body and not self.chunked and (self.framed or not self.length)

    def on_message_complete(self) -> None:
        conn = self.conn
        if conn.parser.get_status_code() in INTERIM:
            self.length = self.framed = self.chunked = False  # the answer's own headers follow
            return
        conn.on_message_complete()
        conn.first = None
        if not conn.closed:  # kept alive: later responses cannot end at a close, parse them lean
            conn.parser = HttpResponseParser(conn)


class HeadParser:
    """The parser of a connection whose plan sends HEAD: every answer is complete at its headers.

    It stands where the connection keeps its parser (``feed_data``, ``get_status_code``,
    ``should_keep_alive``), so the connection's completion callbacks run unchanged. Whether the connection
    stays open is decided from the version and the Connection header alone (RFC 9112 section 9.3):
    llhttp's own answer also asks whether the body would end at the close, which a HEAD answer without
    Content-Length would, though it has no body at all.
    """

    __slots__ = ("close", "conn", "keep", "keep_alive", "parser", "status")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.parser = HttpResponseParser(self)
        self.status = 0
        self.keep_alive = False
        self.close = False  # this answer's Connection header names "close"
        self.keep = False  # ... or "keep-alive"

    def feed_data(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def get_status_code(self) -> int:
        return self.status

    def should_keep_alive(self) -> bool:
        return self.keep_alive

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"connection":
            tokens = [token.strip() for token in value.lower().split(b",")]
            self.close = self.close or b"close" in tokens
            self.keep = self.keep or b"keep-alive" in tokens

    def on_headers_complete(self) -> None:
        parser = self.parser
        if parser.get_status_code() in INTERIM:  # no body: this parser reads the answer that follows
            self.close = self.keep = False
            return
        self.status = parser.get_status_code()
        self.keep_alive = not self.close and (self.keep or parser.get_http_version() >= "1.1")
        self.close = self.keep = False
        conn = self.conn
        conn.on_message_complete()  # may write the next request; its answer comes in a later read
        if not conn.closed:
            # the old parser still waits for the announced body: the next answer starts on a fresh one
            self.parser = HttpResponseParser(self)


class Connection(asyncio.Protocol):
    __slots__ = (
        "busy",
        "closed",
        "engine",
        "first",
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
        self.parser: HttpResponseParser | HeadParser
        self.first: FirstResponse | None
        if engine.plan.method == "HEAD":  # no body to end at a close: every answer ends at its headers
            self.first = None
            self.parser = HeadParser(self)
        else:
            self.first = FirstResponse(self)
            self.parser = HttpResponseParser(self.first)
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
        first = self.first
        if exc is None and self.busy and first is not None and first.ends_at_close:
            self.complete_at_close()
        else:
            self.engine.lost(self, exc)

    def complete_at_close(self) -> None:
        """The server's close ended a response whose headers were complete: record it, then reconnect."""
        now = perf_counter_ns()
        engine = self.engine
        if self.warm:
            self.warm = False
        else:
            engine.latency.append((now - self.intended) // 1000)  # the closed model sets intended = sent
            if engine.open_model:
                engine.uncorrected.append((now - self.sent) // 1000)
            engine.status[self.parser.get_status_code()] += 1
        self.busy = False
        self.got_bytes = False
        self.served += 1
        engine.replace(self)

    # -- httptools callbacks ---------------------------------------------------------------------
    def on_message_complete(self) -> None:
        """Open model: latency from the intended send time, and from the actual send beside it."""
        now = perf_counter_ns()
        engine = self.engine
        status = self.parser.get_status_code()
        if status in INTERIM:
            return
        if self.warm:
            self.warm = False
        else:
            engine.latency.append((now - self.intended) // 1000)
            engine.uncorrected.append((now - self.sent) // 1000)
            engine.status[status] += 1
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
        status = self.parser.get_status_code()
        if status in INTERIM:
            return
        if self.warm:
            self.warm = False
        else:
            engine.latency.append((now - self.sent) // 1000)
            engine.status[status] += 1
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
