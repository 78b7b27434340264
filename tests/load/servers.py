"""Test servers for the load tester, each built to cause one behaviour; run as a subprocess on 127.0.0.1.

One threaded HTTP/1.1 keep-alive server; the path picks the behaviour:

* ``/delay/<ms>``: answer after exactly that many milliseconds;
* ``/stall-once/<after>/<ms>``: the request number ``after`` stalls the whole server for ``ms`` milliseconds;
* ``/status/<code>``: answer with that status;
* ``/limit/<n>``: 429 once more than ``n`` requests arrived in the current wall-clock second;
* ``/quota/<n>``: 429 once more than ``n`` requests arrived since the last reset (a limit by count, the
  same on a fast or a slow machine);
* ``/json-only``: 200 when the request's Content-Type is ``application/json``, else 415;
* ``/malformed``: a response that is not HTTP; ``/reset``: a TCP reset; ``/hang``: never answers;
* ``/truncate``: closes halfway through the body it announced;
* ``/close``: answers with ``Connection: close`` and closes;
* ``/http10/<n>``: an HTTP/1.0 answer with an ``n``-byte body and no Content-Length, ended by the close;
* ``/close-eof/<n>``: the same as HTTP/1.1 with ``Connection: close``;
* ``/cut-head``: closes in the middle of the response headers;
* ``/interim``: a ``100 Continue`` and a ``103 Early Hints``, each in its own write, before the answer;
* POST ``/early``: a 413 before reading the body (which it then drains, keeping the connection);
* PUT is answered as POST;
* HEAD ``/keep``: headers announcing a 3-byte body (none follows, as for every HEAD), connection kept;
* HEAD ``/keep-bare``: headers with no body length at all (as nginx answers HEAD for a body it would chunk),
  connection kept; HEAD ``/keep-http10``: an HTTP/1.0 answer with ``Connection: keep-alive``, kept;
* any other path asked with HEAD: headers announcing a 3-byte body, then a close;
* ``/__count``: how many other requests arrived and on how many connections (JSON, with a per-second
  breakdown and the Content-Type of the requests that had a body); ``/__reset`` zeroes it.

Run: ``python -m tests.load.servers [--tls CERT KEY]``; prints ``READY <port>`` when listening.
"""

from __future__ import annotations

import argparse
import json
import socket
import ssl
import struct
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()  # held by a stall, so a stall blocks every connection
STATE: dict[str, object] = {
    "count": 0,
    "seconds": Counter(),
    "limit": Counter(),
    "peers": set(),
    "content_types": Counter(),  # Content-Type of each request with a body ("" when none was sent)
}
HEAD_ANSWERS = {  # HEAD path -> the whole answer; the connection stays open after each
    "keep": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n",
    "keep-bare": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
    "keep-http10": b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n",
    "interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n",
}
HANG_LIMIT = 30.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def parse_request(self) -> bool:
        self.arrived = time.perf_counter()  # the request line just arrived: delays count from here
        return super().parse_request()

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self, status: int, body: bytes = b"ok\n", close: bool = False) -> None:
        head = f"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
        if close:
            head += "Connection: close\r\n"
            self.close_connection = True
        self.wfile.write(head.encode() + b"\r\n" + body)  # one write: no Nagle/delayed-ACK stall

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.path.startswith("/early"):  # refuse before reading the body, then drain it: kept alive
            self._arrived()
            self._answer(413, b"too large\n")
            self.rfile.read(length)
            return
        if length:
            self.rfile.read(length)
            with LOCK:
                types = STATE["content_types"]
                assert isinstance(types, Counter)
                types[self.headers.get("Content-Type", "")] += 1
        self.do_GET()

    do_PUT = do_POST

    def _arrived(self) -> int:
        """Count one request (and the connection it came on); its number."""
        with LOCK:
            count = int(STATE["count"]) + 1  # type: ignore[call-overload]
            STATE["count"] = count
            seconds, peers = STATE["seconds"], STATE["peers"]
            assert isinstance(seconds, Counter) and isinstance(peers, set)
            seconds[int(time.time())] += 1
            peers.add(self.client_address)
        return count

    def do_HEAD(self) -> None:
        self._arrived()
        answer = HEAD_ANSWERS.get(self.path.split("?")[0].strip("/"))
        if answer is None:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
            self.close_connection = True
        else:
            self.wfile.write(answer)

    def do_GET(self) -> None:
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        head = parts[0] if parts else ""
        if head == "__count":
            with LOCK:
                seconds = STATE["seconds"]
                peers = STATE["peers"]
                assert isinstance(seconds, Counter) and isinstance(peers, set)
                body = json.dumps(
                    {
                        "count": STATE["count"],
                        "connections": len(peers),
                        "seconds": sorted(seconds.items()),
                        "content_types": dict(STATE["content_types"]),  # type: ignore[call-overload]
                    }
                ).encode()
            self._answer(200, body)
            return
        if head == "__reset":
            with LOCK:
                STATE["count"] = 0
                STATE["seconds"] = Counter()
                STATE["peers"] = set()
                STATE["content_types"] = Counter()
            self._answer(200)
            return
        count = self._arrived()
        now = int(time.time())
        if head == "delay":  # answer D ms after arrival, whatever parsing the request took
            time.sleep(max(0.0, self.arrived + int(parts[1]) / 1000 - time.perf_counter()))
            self._answer(200)
        elif head == "stall-once":
            if count == int(parts[1]):
                with LOCK:
                    time.sleep(int(parts[2]) / 1000)
            self._answer(200)
        elif head == "status":
            self._answer(int(parts[1]))
        elif head == "quota":
            self._answer(429 if count > int(parts[1]) else 200)
        elif head == "json-only":
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            self._answer(200 if kind == "application/json" else 415)
        elif head == "limit":
            with LOCK:
                limit = STATE["limit"]
                assert isinstance(limit, Counter)
                limit[now] += 1
                over = limit[now] > int(parts[1])
            self._answer(429 if over else 200)
        elif head == "malformed":
            self.wfile.write(b"HTTP/1.1 abc certainly not a status line\r\n\x00\x01\r\n\r\n")
            self.wfile.flush()
            time.sleep(0.05)
            self.close_connection = True
        elif head == "truncate":  # promises 100 bytes, sends 5, closes
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello")
            self.close_connection = True
        elif head == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif head == "hang":
            deadline = time.monotonic() + HANG_LIMIT
            self.connection.settimeout(0.1)
            while time.monotonic() < deadline:  # until the client gives up (or 30 s)
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            self.close_connection = True
        elif head == "close":
            self._answer(200, close=True)
        elif head in ("http10", "close-eof"):  # close-delimited body (RFC 9112 section 6.3, rule 8)
            self.wfile.write(close_delimited(head, int(parts[1])))
            self.close_connection = True
        elif head == "cut-head":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: te")
            self.close_connection = True
        elif head == "interim":  # a 100 Continue and a 103 Early Hints, each on its own, then the answer
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
            time.sleep(0.002)
            self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
            self.wfile.flush()
            time.sleep(0.002)
            self._answer(200)
        else:
            self._answer(200)


def close_delimited(kind: str, size: int) -> bytes:
    """The whole answer of ``/http10/<size>`` or ``/close-eof/<size>``: headers without a body length."""
    status = "HTTP/1.0 200 OK" if kind == "http10" else "HTTP/1.1 200 OK\r\nConnection: close"
    body = bytes(b"abcdefghij"[i % 10] for i in range(size))
    return f"{status}\r\nContent-Type: text/plain\r\n\r\n".encode() + body


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--lifetime", type=float, default=600.0, help="exit after this many seconds")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Timer(args.lifetime, server.shutdown).start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdout.close()
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
