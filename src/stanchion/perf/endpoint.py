"""An endpoint to analyze: ``"[METHOD ]PATH"`` resolved against a base URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from stanchion.errors import UsageError

_METHOD = re.compile(r"^[A-Za-z]+$")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


def parse_endpoint(text: str) -> Endpoint:
    """``"/api/users"`` -> GET /api/users; ``"POST /api/users"`` -> POST /api/users."""
    parts = text.split()
    if len(parts) == 1:
        method, path = "GET", parts[0]
    elif len(parts) == 2 and _METHOD.match(parts[0]):
        method, path = parts[0].upper(), parts[1]
    else:
        raise UsageError(f"invalid endpoint {text!r}", 'write it as "[METHOD ]PATH", e.g. "GET /api/users"')
    if not path.startswith("/"):
        raise UsageError(f"invalid endpoint path {path!r}", "the path starts with /, e.g. /api/users")
    return Endpoint(method, path)


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash (an http(s) URL with a host, else UsageError)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"not an http(s) base URL: {base_url!r}", "give the app's address, e.g. http://127.0.0.1:8000"
        )
    return base_url.rstrip("/")
