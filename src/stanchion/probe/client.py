"""The probe's only way out: an HTTP client bound to one origin with a request budget it holds.

Every request goes to the base URL's scheme, host and port (a rule gives a path, never a URL); the budget
caps the number of requests and the wall time of the whole probe, and is shown before the first request.
When it runs out the client raises :class:`BudgetExhausted` and the rule that asked stops there.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from stanchion.errors import UsageError

MAX_BODY = 256 * 1024  # bytes of an answer kept for the rules to read


class BudgetExhausted(Exception):
    """The request budget (count or time) is spent; the asking rule stops."""


@dataclass(frozen=True)
class Budget:
    requests: int = 300
    seconds: float = 60.0
    timeout: float = 5.0  # per request, never beyond what is left of ``seconds``

    def describe(self, origin: str) -> str:
        return f"at most {self.requests} requests to {origin} within {self.seconds:g} s"


@dataclass
class Answer:
    method: str
    path: str
    status: int
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes
    request_headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def parse_base_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path prefix) of a base URL; anything else is a usage error."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url}: not an http(s) base URL", "pass one like http://127.0.0.1:8000")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UsageError(f"{url}: the port is not a number", "pass one like http://127.0.0.1:8000") from None
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


class ProbeClient:
    """Sends requests to one origin and counts them against the budget."""

    def __init__(self, base_url: str, budget: Budget) -> None:
        self.scheme, self.host, self.port, self.prefix = parse_base_url(base_url)
        self.budget = budget
        self.sent = 0
        self.started = time.monotonic()

    @property
    def origin(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Answer:
        if not path.startswith("/") or "://" in path.split("?")[0]:
            raise ValueError(f"a probe request takes a path on the base URL, not {path!r}")
        left = self.budget.seconds - self.elapsed
        if self.sent >= self.budget.requests or left <= 0:
            raise BudgetExhausted
        self.sent += 1
        sent_headers = {"User-Agent": "stanchion-probe", "Connection": "close", **(headers or {})}
        conn: http.client.HTTPConnection
        timeout = max(0.1, min(self.budget.timeout, left))
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, self.prefix + path, body=body, headers=sent_headers)
            response = conn.getresponse()
            data = response.read(MAX_BODY)
            merged: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
            return Answer(method, path, response.status, merged, data, sent_headers)
        except (OSError, http.client.HTTPException) as exc:
            return Answer(method, path, 0, {}, str(exc).encode(), sent_headers)
        finally:
            conn.close()

    def json_request(
        self, method: str, path: str, document: Any, headers: dict[str, str] | None = None
    ) -> Answer:
        body = json.dumps(document).encode()
        return self.request(method, path, {"Content-Type": "application/json", **(headers or {})}, body)
