"""Run the analysis: per endpoint a warm-up, a snapshot, a bounded load phase, a snapshot, the findings.

One endpoint at a time, so every statement that ran between two snapshots belongs to that endpoint's
requests (other clients of the same database would be counted too: analyze against a database the app
alone uses). Statements per request and database time per request are over the answered requests of
the measured phase; the warm-up (connection pools, caches, prepared statements) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stanchion.db.analyze.base import Thresholds
from stanchion.db.analyze.rules._statements import Statement
from stanchion.errors import EnvironmentProblem
from stanchion.perf import findings as rules
from stanchion.perf.endpoint import Endpoint, check_base_url
from stanchion.perf.findings import Finding
from stanchion.perf.statements import check_extension, delta, snapshot
from stanchion.redact import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.load.result import LoadResult

DEFAULT_REQUESTS = 500
OPTIMIZE_AREAS = ("queries", "caching", "indexes")
#: what the text and JSON call the latency percentiles, and where they come from (load's p-labels)
LATENCY_KEYS = ("p50", "p90", "p95", "p99")


@dataclass
class EndpointReport:
    endpoint: Endpoint
    result: LoadResult
    statements: list[Statement] | None  # None: no database statistics were read

    @property
    def requests(self) -> int:
        """Answered requests of the measured phase: what the per-request figures divide by."""
        return self.result.completed

    @property
    def statements_per_request(self) -> float | None:
        if self.statements is None or not self.requests:
            return None
        return sum(s.calls for s in self.statements) / self.requests

    @property
    def db_ms_per_request(self) -> float | None:
        if self.statements is None or not self.requests:
            return None
        return sum(s.total_ms for s in self.statements) / self.requests

    def latency_ms(self) -> dict[str, float | None]:
        lat = self.result.summary()
        out: dict[str, float | None] = {
            key: round(lat["percentiles"][key] / 1000, 3) if key in lat["percentiles"] else None
            for key in LATENCY_KEYS
        }
        out["mean"] = round(lat["mean"] / 1000, 3) if lat["mean"] is not None else None
        return out

    def to_json(self) -> dict[str, Any]:
        spr, dbms = self.statements_per_request, self.db_ms_per_request
        mean = self.latency_ms()["mean"]
        return {
            "method": self.endpoint.method,
            "path": self.endpoint.path,
            "requests": self.requests,
            "errors": self.result.error_total,
            "rps": round(self.result.rps, 2),
            "latency_ms": self.latency_ms(),
            "statements_per_request": round(spr, 3) if spr is not None else None,
            "db_ms_per_request": round(dbms, 3) if dbms is not None else None,
            "db_share": round(min(dbms / mean, 1.0), 3) if dbms is not None and mean else None,
            "statements": [
                {
                    "queryid": s.queryid,
                    "query": s.short,
                    "calls": s.calls,
                    "calls_per_request": round(s.calls / self.requests, 3),
                    "mean_ms": round(s.mean_ms, 3),
                    "ms_per_request": round(s.total_ms / self.requests, 3),
                }
                for s in self.statements or []
            ]
            if self.requests
            else [],
        }


@dataclass
class PerfReport:
    base_url: str
    database: str | None
    endpoints: list[EndpointReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False

    def to_json(self) -> dict[str, Any]:
        from stanchion.perf.baseline import SCHEMA

        return {
            "schema": SCHEMA,
            "base_url": mask_url(self.base_url),
            "database": self.database,
            "endpoints": [e.to_json() for e in self.endpoints],
            "findings": [f.to_json() for f in self.findings],
            "notes": self.notes,
            "interrupted": self.interrupted,
        }


def analyze(
    base_url: str,
    endpoints: Sequence[Endpoint],
    *,
    database_url: str | None = None,
    requests: int | None = None,
    duration: str | None = None,
    concurrency: int = 10,
    workers: int = 1,
    headers: Sequence[str] = (),
    optimize: Sequence[str] = OPTIMIZE_AREAS,
    thresholds: Thresholds | None = None,
    on_phase: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PerfReport:
    """Analyze each endpoint in turn (see the module docstring); raises UsageError / EnvironmentProblem."""
    from stanchion.load import build_plan

    base = check_base_url(base_url)
    opts: dict[str, Any] = {"concurrency": concurrency, "headers": tuple(headers), "workers": workers}
    measured: dict[str, Any] = {"duration": duration}
    if duration is None:
        measured = {"requests": requests or DEFAULT_REQUESTS}
    plans = [
        (
            e,
            build_plan([e.url(base)], method=e.method, requests=_warmup_size(requests, concurrency), **opts),
            build_plan([e.url(base)], method=e.method, **measured, **opts),
        )
        for e in endpoints
    ]
    wanted = rules.wanted(optimize)
    report = PerfReport(base, mask_url(database_url) if database_url else None)
    with _statistics(database_url, report) as conn:
        for endpoint, warm, plan in plans:
            if on_phase:
                on_phase(f"warming up {endpoint.label}")
            warmed = _run(warm, should_stop)
            if warmed.unreachable:
                from stanchion.load.advice import unreachable_cause

                raise EnvironmentProblem(
                    unreachable_cause(warmed), f"start the app at {mask_url(base)} first"
                )
            if warmed.interrupted:
                report.interrupted = True
                break
            before = snapshot(conn) if conn is not None else None
            if on_phase:
                on_phase(f"loading {endpoint.label}")
            result = _run(plan, should_stop)
            stmts = delta(before, snapshot(conn)) if conn is not None and before is not None else None
            entry = EndpointReport(endpoint, result, stmts)
            report.endpoints.append(entry)
            report.findings.extend(_findings(entry, wanted, thresholds or Thresholds()))
            if conn is not None and "missing-index" in wanted and entry.statements and entry.requests:
                report.findings.extend(_missing_indexes(conn, entry, report))
            if result.interrupted:
                report.interrupted = True
                break
    return report


def _warmup_size(requests: int | None, concurrency: int) -> int:
    """A short warm-up: a tenth of the run, at least a round per connection, at most 100 requests."""
    base = (requests or DEFAULT_REQUESTS) // 10
    return max(concurrency, min(base, 100))


def _run(plan: Any, should_stop: Callable[[], bool] | None) -> LoadResult:
    from stanchion.load import run

    return run(plan, should_stop=should_stop)


def _findings(entry: EndpointReport, wanted: set[str], thresholds: Thresholds) -> list[Finding]:
    label = entry.endpoint.label
    found = rules.errors(label, {k: n for k, n in entry.result.errors.items() if n}, entry.result.attempts)
    if entry.statements is None or not entry.requests:
        return found
    if "n-plus-one" in wanted:
        found += rules.n_plus_one(label, entry.statements, entry.requests)
    if "slow-query" in wanted:
        found += rules.slow_queries(label, entry.statements, thresholds)
    if "cache-candidate" in wanted:
        found += rules.cache_candidates(label, entry.statements, entry.requests)
    return found


#: the statements of a phase the index advisor is asked about (the most total time first)
ADVISED_STATEMENTS = 10


def _missing_indexes(conn: Connection, entry: EndpointReport, report: PerfReport) -> list[Finding]:
    """Ask ``db suggest-indexes``' advisor about the endpoint's reads, updates and deletes (between
    phases, so its own EXPLAINs never land in a phase). Without HypoPG: a note, and no such findings."""
    from stanchion.db.advise import advise_queries

    reads = [
        s for s in entry.statements or [] if s.query.lstrip()[:6].upper() in ("SELECT", "UPDATE", "DELETE")
    ]
    reads.sort(key=lambda s: s.total_ms, reverse=True)
    if not reads:
        return []
    try:
        advice = advise_queries(conn, report.database or "", [s.query for s in reads[:ADVISED_STATEMENTS]])
    except EnvironmentProblem as exc:
        note = f"missing-index needs HypoPG: {exc.message} ({exc.hint})"
        if note not in report.notes:
            report.notes.append(note)
        return []
    return rules.missing_indexes(entry.endpoint.label, advice, reads)


class _statistics:
    """A connection for pg_stat_statements snapshots (None without a PostgreSQL URL; notes say why)."""

    def __init__(self, database_url: str | None, report: PerfReport) -> None:
        self.url = database_url
        self.report = report
        self.conn: Connection | None = None

    def __enter__(self) -> Connection | None:
        if self.url is None:
            self.report.notes.append(
                "no --database-url: give the app's PostgreSQL URL to add statements per request, database "
                "time per request vs latency, and the N+1, slow-query and cache-candidate findings"
            )
            return None
        from stanchion.db.url import connect_errors, create_engine, parse_url

        parsed = parse_url(self.url)
        if parsed.dialect != "postgresql":
            self.report.notes.append(
                f"{parsed.dialect}: statement statistics are read from PostgreSQL's pg_stat_statements only; "
                "this run reports latency and errors"
            )
            return None
        engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
        with connect_errors(parsed):
            self.conn = engine.connect()
        try:
            check_extension(self.conn)
        except BaseException:
            self.__exit__()
            raise
        return self.conn

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn.engine.dispose()
