"""What to send: targets, the load model, the request, and the checks, validated once before any traffic.

A :class:`Plan` is a plain value: the engine reads it, the reports echo it, and it splits into one slice
per worker process (:meth:`Plan.split`). Every parse error is a :class:`~stanchion.errors.UsageError`
with a hint, raised before a single connection is opened.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from stanchion.errors import UsageError
from stanchion.redact import mask_url

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str, what: str = "duration") -> float:
    """``"30"``, ``"30s"``, ``"1.5m"``, ``"250ms"`` -> seconds."""
    match = _DURATION.match(str(text))
    if not match:
        raise UsageError(f"invalid {what} {text!r}", "use seconds or a unit: 30, 30s, 250ms, 2m, 1h")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Stage:
    """Ramp the arrival rate linearly to ``target`` requests/s over ``duration`` seconds."""

    duration: float
    target: float


def parse_stages(text: str) -> tuple[Stage, ...]:
    """``"30s:100,60s:500"`` -> ramps (k6's ramping-arrival-rate): to 100/s over 30 s, then to 500/s over 60 s."""
    stages: list[Stage] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        duration, sep, target = part.partition(":")
        if not sep:
            raise UsageError(
                f"invalid stage {part!r}", 'write stages as "DURATION:RATE,...", e.g. "30s:100,60s:500"'
            )
        seconds = parse_duration(duration, "stage duration")
        try:
            rate = float(target)
        except ValueError:
            raise UsageError(
                f"invalid stage rate {target!r}", "the rate after ':' is requests per second"
            ) from None
        if seconds <= 0 or rate < 0:
            raise UsageError(f"invalid stage {part!r}", "durations must be positive and rates not negative")
        stages.append(Stage(seconds, rate))
    if not stages:
        raise UsageError("--stages is empty", 'give at least one stage, e.g. "30s:100"')
    return tuple(stages)


@dataclass(frozen=True)
class Target:
    """One URL to load, parsed once."""

    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line
    host_header: str
    authorization: str | None = None  # Basic credentials from user:password@ in the URL

    @property
    def shown(self) -> str:
        """The URL as every report shows it: the password masked."""
        return mask_url(self.url)

    @property
    def tls(self) -> bool:
        return self.scheme == "https"


def parse_target(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url!r}", "give a full URL, e.g. http://127.0.0.1:8000/health")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UsageError(f"invalid port in {url!r}", "ports are 1-65535") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = (parts.scheme == "https" and port == 443) or (parts.scheme == "http" and port == 80)
    host = parts.hostname
    host_header = host if ":" not in host else f"[{host}]"
    if not default_port:
        host_header += f":{port}"
    auth = None
    if parts.username is not None:
        raw = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        auth = "Basic " + base64.b64encode(raw).decode("ascii")
    return Target(url, parts.scheme, host, port, path, host_header, auth)


def parse_header(line: str) -> tuple[str, str]:
    name, sep, value = line.partition(":")
    if not sep or not name.strip() or any(c in name for c in " \t\r\n"):
        raise UsageError(f"invalid header {line!r}", 'write headers as "Name: value"')
    return name.strip(), value.strip()


def read_headers_file(path: str) -> list[tuple[str, str]]:
    """One ``Name: value`` per line; blank lines and ``#`` comments are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read headers file {path}: {exc.strerror}", "check the path") from None
    return [
        parse_header(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def is_json(body: bytes) -> bool:
    """A JSON object or array: a body that is sent as ``application/json`` unless a Content-Type is given."""
    text = body.lstrip()
    if not text.startswith((b"{", b"[")):
        return False
    try:
        json.loads(body)
    except ValueError:  # also not UTF-8
        return False
    return True


def read_body_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read data file {path}: {exc.strerror}", "check the path") from None


@dataclass(frozen=True)
class Plan:
    """A validated load test. ``rate`` or ``stages`` selects the open model; otherwise it is closed."""

    targets: tuple[Target, ...]
    concurrency: int = 10
    duration: float | None = None
    requests: int | None = None
    rate: float | None = None
    stages: tuple[Stage, ...] = ()
    warmup: float = 0.0
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    timeout: float = 10.0
    insecure: bool = False
    workers: int = 1
    expect_status: int | None = None
    json_content_type: bool = False  # Content-Type: application/json was added because the body is JSON
    rate_scale: float = 1.0  # share of the rate this slice sends (1/workers)
    phase: float = 0.0  # this slice's offset in the arrival schedule, as a fraction of one interval

    @property
    def open_model(self) -> bool:
        return self.rate is not None or bool(self.stages)

    @property
    def model(self) -> str:
        return "open" if self.open_model else "closed"

    @property
    def content_type(self) -> str | None:
        """The Content-Type the requests carry, if any (given with -H, or added for a JSON body)."""
        return next((value for name, value in self.headers if name.lower() == "content-type"), None)

    @property
    def run_seconds(self) -> float | None:
        """How long the measured part lasts, when bounded by time."""
        if self.stages:
            return sum(s.duration for s in self.stages)
        return self.duration

    def request_bytes(self, target: Target) -> bytes:
        """The whole request, built once per target: the hot path only writes these bytes."""
        names = {name.lower() for name, _ in self.headers}
        lines = [f"{self.method} {target.path} HTTP/1.1"]
        if "host" not in names:
            lines.append(f"Host: {target.host_header}")
        if "user-agent" not in names:
            lines.append("User-Agent: stanchion-load")
        if target.authorization and "authorization" not in names:
            lines.append(f"Authorization: {target.authorization}")
        lines.extend(f"{name}: {value}" for name, value in self.headers)
        if self.body and "content-length" not in names:
            lines.append(f"Content-Length: {len(self.body)}")
        elif not self.body and self.method in ("POST", "PUT", "PATCH") and "content-length" not in names:
            lines.append("Content-Length: 0")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + self.body

    def split(self, workers: int) -> list[Plan]:
        """One slice per worker: connections, request count and rate shared out, nothing lost or doubled."""
        workers = max(1, min(workers, self.concurrency))
        if self.requests is not None:
            workers = max(1, min(workers, self.requests))
        slices = []
        for i in range(workers):
            conc = self.concurrency // workers + (1 if i < self.concurrency % workers else 0)
            reqs = None
            if self.requests is not None:
                reqs = self.requests // workers + (1 if i < self.requests % workers else 0)
            slices.append(
                replace(
                    self,
                    concurrency=conc,
                    requests=reqs,
                    workers=1,
                    rate_scale=self.rate_scale / workers,
                    phase=i / workers,
                )
            )
        return slices


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def build_plan(
    urls: list[str] | tuple[str, ...],
    *,
    concurrency: int | None = None,
    duration: str | float | None = None,
    requests: int | None = None,
    rate: float | None = None,
    stages: str | None = None,
    warmup: str | float | None = None,
    method: str = "GET",
    headers: list[str] | tuple[str, ...] = (),
    headers_file: str | None = None,
    body: str | None = None,
    data_file: str | None = None,
    timeout: str | float = 10.0,
    insecure: bool = False,
    workers: int | None = None,
    expect_status: int | None = None,
) -> Plan:
    """Validate the user's choices into a :class:`Plan` (raises UsageError with a hint)."""
    if not urls:
        raise UsageError("no URL given", "stanchion load http://127.0.0.1:8000/ -n 100")
    targets = tuple(parse_target(u) for u in urls)
    if body is not None and data_file is not None:
        raise UsageError("--body and --data both given", "send either an inline body or a file")
    payload = read_body_file(data_file) if data_file else (body or "").encode("utf-8")
    header_list = read_headers_file(headers_file) if headers_file else []
    header_list += [parse_header(h) for h in headers]
    add_json = is_json(payload) and not any(name.lower() == "content-type" for name, _ in header_list)
    if add_json:
        header_list.append(("Content-Type", "application/json"))
    seconds = parse_duration(str(duration)) if duration is not None else None
    stage_list = parse_stages(stages) if stages else ()
    if rate is not None and (not math.isfinite(rate) or rate <= 0):
        raise UsageError(f"invalid --rate {rate}", "the rate is requests per second, above 0")
    if rate is not None and stage_list:
        raise UsageError("--rate and --stages both given", "--stages sets the rate over time; drop --rate")
    if requests is not None and requests <= 0:
        raise UsageError(f"invalid --requests {requests}", "send at least one request")
    if seconds is not None and seconds <= 0:
        raise UsageError("--duration must be above 0", "e.g. -d 30s")
    if stage_list and (seconds is not None or requests is not None):
        raise UsageError("--stages sets the run length", "drop --duration/--requests when using --stages")
    open_model = rate is not None or bool(stage_list)
    if open_model and requests is not None:
        raise UsageError("--requests is for the closed model", "with --rate, bound the run by --duration")
    if seconds is None and requests is None and not stage_list:
        seconds = 10.0
    if concurrency is not None and concurrency <= 0:
        raise UsageError(f"invalid --concurrency {concurrency}", "use 1 or more connections")
    conc = concurrency or (50 if open_model else 10)
    if requests is not None and requests < conc:
        conc = requests
    if workers is not None and workers <= 0:
        raise UsageError(f"invalid --workers {workers}", "use 1 or more worker processes")
    # as many processes as can have a connection (and a request) each: what runs is what is reported
    procs = min(workers or default_workers(), conc)
    tmo = parse_duration(str(timeout), "timeout")
    if tmo <= 0:
        raise UsageError("--timeout must be above 0", "e.g. --timeout 5s")
    if expect_status is not None and not 100 <= expect_status <= 599:
        raise UsageError(f"invalid --expect-status {expect_status}", "an HTTP status code, 100-599")
    verb = method.upper()
    if not re.fullmatch(r"[A-Z]+", verb):
        raise UsageError(f"invalid method {method!r}", "e.g. GET, POST, PUT, DELETE")
    return Plan(
        targets=targets,
        concurrency=conc,
        duration=seconds,
        requests=requests,
        rate=rate,
        stages=stage_list,
        warmup=parse_duration(str(warmup), "warmup") if warmup is not None else 0.0,
        method=verb,
        headers=tuple(header_list),
        body=payload,
        timeout=tmo,
        insecure=insecure,
        workers=procs,
        expect_status=expect_status,
        json_content_type=add_json,
    )
