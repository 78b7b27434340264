"""A small real app for the perf tests: stdlib HTTP on 127.0.0.1 over a real PostgreSQL (psycopg).

``python -m tests.perf.app DATABASE_URL`` prints ``READY <port>`` once it listens. Endpoints:

- ``GET /books/n-plus-one``: lists 10 books, then each book's author one query at a time (11 statements)
- ``GET /books/batched``: the same answer from two statements (``WHERE id = ANY($1)``)
- ``GET /orders/by-customer``: one customer's orders, filtered on a column no index leads with
- ``POST /visits``: records a visit and counts them (a write, then a read of the written table)
- ``GET /books``: the N+1 or the batched way, as ``POST /__mode/n-plus-one`` or ``/__mode/batched`` set it
  (a fix to prove with ``--baseline``)
- ``GET /health``: no database at all
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg

BOOKS = "SELECT id, author_id FROM book ORDER BY id LIMIT 10"
SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE TABLE IF NOT EXISTS author (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS book (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES author (id));
CREATE TABLE IF NOT EXISTS visit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
INSERT INTO author SELECT g, 'author ' || g FROM generate_series(1, 50) g ON CONFLICT DO NOTHING;
INSERT INTO book SELECT g, 1 + g % 50 FROM generate_series(1, 200) g ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
INSERT INTO orders SELECT g, 1 + g % 500, g FROM generate_series(1, 20000) g ON CONFLICT DO NOTHING;
ANALYZE;
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    local = threading.local()
    url = ""
    books_mode = "n-plus-one"
    customers = itertools.count(1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def conn(self) -> psycopg.Connection[Any]:
        if getattr(self.local, "conn", None) is None:
            self.local.conn = psycopg.connect(self.url, autocommit=True)
        conn: psycopg.Connection[Any] = self.local.conn
        return conn

    def send(self, status: int, doc: Any) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self.send(200, {"ok": True})
        elif self.path == "/books":
            self.path = f"/books/{Handler.books_mode}"
            self.do_GET()
        elif self.path == "/orders/by-customer":
            customer = 1 + next(Handler.customers) % 500
            rows = self.conn().execute("SELECT id, total FROM orders WHERE customer_id = %s", (customer,))
            self.send(200, [{"id": i, "total": str(t)} for i, t in rows.fetchall()])
        elif self.path == "/books/n-plus-one":
            books = self.conn().execute(BOOKS).fetchall()
            out = []
            for book_id, author_id in books:
                row = self.conn().execute("SELECT name FROM author WHERE id = %s", (author_id,)).fetchone()
                out.append({"id": book_id, "author": row[0] if row else None})
            self.send(200, out)
        elif self.path == "/books/batched":
            books = self.conn().execute(BOOKS).fetchall()
            ids = sorted({a for _, a in books})
            names = dict(
                self.conn().execute("SELECT id, name FROM author WHERE id = ANY(%s)", (ids,)).fetchall()
            )
            self.send(200, [{"id": b, "author": names.get(a)} for b, a in books])
        else:
            self.send(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == "/visits":
            self.conn().execute("INSERT INTO visit DEFAULT VALUES")
            (count,) = self.conn().execute("SELECT count(*) FROM visit").fetchone() or (0,)
            self.send(201, {"visits": count})
        elif self.path in ("/__mode/n-plus-one", "/__mode/batched"):
            Handler.books_mode = self.path.rsplit("/", 1)[1]
            self.send(200, {"mode": Handler.books_mode})
        else:
            self.send(404, {"error": "not found"})


def main() -> None:
    url = sys.argv[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    Handler.url = url
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
