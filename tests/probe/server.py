"""A real HTTP API on 127.0.0.1 for the probe's tests: clean by default, with any of the probe's flaws
switched on by rule id (one flaw per rule)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKENS = {"token-a": "a", "token-b": "b"}
ITEMS = {"1": {"id": 1, "owner": "a", "name": "a's"}, "2": {"id": 2, "owner": "b", "name": "b's"}}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "probe target", "version": "1"},
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "NewItem": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "example": "widget"}},
                "additionalProperties": False,
            }
        },
    },
    "paths": {
        "/items": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "post": {
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}}
                },
                "responses": {"201": {"description": "created"}},
            },
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"responses": {"200": {"description": "ok"}}},
        },
        "/login": {
            "post": {
                "security": [],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


class Handler(BaseHTTPRequestHandler):
    server_version = "api"
    sys_version = ""
    flaws: frozenset[str] = frozenset()
    login_attempts = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- answers -------------------------------------------------------------------------------------
    def answer(self, status: int, document: Any, extra: dict[str, str] | None = None) -> None:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if "header-nosniff" not in self.flaws:
            self.send_header("X-Content-Type-Options", "nosniff")
        if "header-no-store" not in self.flaws:
            self.send_header("Cache-Control", "no-store")
        if "header-banner" in self.flaws:
            self.send_header("X-Powered-By", "Express")
        origin = self.headers.get("Origin")
        if origin:
            if "cors-wildcard-credentials" in self.flaws:
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Credentials", "true")
            elif "cors-reflected-origin" in self.flaws and origin != "null":
                self.send_header("Access-Control-Allow-Origin", origin)
            elif "cors-null-origin" in self.flaws and origin == "null":
                self.send_header("Access-Control-Allow-Origin", "null")
            elif origin == "https://app.example":
                self.send_header("Access-Control-Allow-Origin", origin)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def identity(self) -> str | None:
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        if "auth-required" in self.flaws and token.startswith("eyJhbGciOiAibm9uZSI"):  # alg: none accepted
            return "a"
        return TOKENS.get(token)

    def not_found(self) -> None:
        if "error-leak" in self.flaws:
            trace = 'Traceback (most recent call last):\n  File "app.py", line 3, in route\nKeyError: x'
            self.answer(404, trace.encode())
        else:
            self.answer(404, {"title": "Not Found", "status": 404})

    # -- methods -------------------------------------------------------------------------------------
    def do_TRACE(self) -> None:
        if "trace-enabled" in self.flaws:
            echo = f"TRACE {self.path} HTTP/1.1\r\n{self.headers}".encode()
            self.answer(200, echo)
        else:
            self.answer(405, {"title": "Method Not Allowed"})

    def do_GET(self) -> None:
        if self.path == "/":
            self.answer(200, {"status": "ok"})
            return
        if self.path == "/openapi.json":
            self.answer(200, SPEC)
            return
        if not self.path.startswith("/items"):
            self.not_found()
            return
        who = self.identity()
        if who is None:
            self.answer(401, {"title": "Unauthorized"}, {"WWW-Authenticate": "Bearer"})
            return
        if self.path == "/items":
            self.answer(200, [item for item in ITEMS.values() if item["owner"] == who])
            return
        item = ITEMS.get(self.path.removeprefix("/items/"))
        if item is None or (item["owner"] != who and "bola" not in self.flaws):
            self.not_found()
            return
        self.answer(200, item)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.path == "/login":
            self.rfile.read(length)
            with self.lock:
                Handler.login_attempts += 1
                limited = Handler.login_attempts > 5 and "rate-limit-auth" not in self.flaws
            if limited:
                self.answer(429, {"title": "Too Many Requests"}, {"Retry-After": "60"})
            else:
                self.answer(401, {"title": "Unauthorized"})
            return
        if self.path != "/items":
            self.rfile.read(length)
            self.not_found()
            return
        if self.identity() is None:
            self.rfile.read(length)
            self.answer(401, {"title": "Unauthorized"})
            return
        if length > 1024 * 1024:
            if "input-oversized" in self.flaws:  # reads it all and runs out of memory
                self.rfile.read(length)
                self.answer(500, {"title": "Internal Server Error"})
                return
            self.answer(413, {"title": "Content Too Large"}, {"Connection": "close"})
            self.close_connection = True
            return
        raw = self.rfile.read(length)
        content_type = self.headers.get("Content-Type") or ""
        if "application/json" not in content_type and "input-content-type" not in self.flaws:
            self.answer(415, {"title": "Unsupported Media Type"})
            return
        try:
            document = json.loads(raw)
        except RecursionError:
            self.answer(500 if "input-nesting" in self.flaws else 400, {"title": "too deep"})
            return
        except ValueError:
            self.answer(400, {"title": "Bad Request"})
            return
        if not isinstance(document, dict) or not isinstance(document.get("name"), str):
            self.answer(422, {"title": "name is required"})
            return
        if set(document) - {"name"} and "mass-assignment" not in self.flaws:
            self.answer(422, {"title": "unknown properties"})
            return
        self.answer(201, {"id": 3, **document})


@contextmanager
def serve(flaws: set[str] | frozenset[str] = frozenset()) -> Iterator[str]:
    """Serve the API with ``flaws`` switched on; yields its base URL."""
    handler = type("FlawedHandler", (Handler,), {"flaws": frozenset(flaws), "login_attempts": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
