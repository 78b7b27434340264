"""Findings from one endpoint's load phase: N+1, slow queries, cache candidates, failing requests.

Every finding names the endpoint, the evidence (the figures it was decided on) and a concrete fix.

- ``n-plus-one``: the same normalized statement runs at least 5 times per request (Sentry's rule).
- ``slow-query``: PgHero's thresholds, the ones ``db analyze``'s slow-queries rule uses (a mean of
  20 ms or more over 100 calls or more in the phase).
- ``cache-candidate``: a read repeated across requests while nothing in the phase wrote to its tables.
- ``missing-index``: a statement of the phase whose planner cost falls by half or more with a HypoPG
  hypothetical index (``db suggest-indexes``' advisor, asked about the endpoint's own statements).
- ``errors``: requests that failed (transport errors, 4xx/5xx), with or without a database URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stanchion.db.analyze.base import Thresholds
from stanchion.db.analyze.rules._statements import Statement, single_row_lookup, tables_read
from stanchion.db.analyze.rules.slow_queries import slow
from stanchion.perf.statements import has_parameters, is_write

if TYPE_CHECKING:
    from stanchion.db.advise import AdviceResult

#: Sentry's N+1 rule: the same statement at least this many times for one request
N_PLUS_ONE_PER_REQUEST = 5.0
#: a read is a cache candidate when it runs at least this often per request, and at least twice
CACHE_PER_REQUEST = 0.5

#: --optimize area -> the findings it asks for
AREAS: dict[str, tuple[str, ...]] = {
    "queries": ("n-plus-one", "slow-query"),
    "caching": ("cache-candidate",),
    "indexes": ("slow-query", "missing-index"),
}


@dataclass(frozen=True)
class Finding:
    id: str
    endpoint: str
    evidence: str
    fix: str
    queryid: int | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "endpoint": self.endpoint,
            "evidence": self.evidence,
            "fix": self.fix,
        }
        if self.queryid is not None:
            doc["queryid"] = self.queryid
        return doc


def n_plus_one(endpoint: str, stmts: Iterable[Statement], requests: int) -> list[Finding]:
    out = []
    for s in stmts:
        per = s.calls / requests
        if per < N_PLUS_ONE_PER_REQUEST or is_write(s):
            continue
        table = single_row_lookup(s.query)
        what = f" (one {table} row at a time)" if table else ""
        out.append(
            Finding(
                "n-plus-one",
                endpoint,
                f"`{s.short}` runs {per:.1f} times per request{what}: {s.calls} calls over {requests} requests",
                "load the rows in one query: WHERE id = ANY($1) (or IN (...)) with the collected ids, or a "
                "JOIN with the query that listed them; on a GraphQL stack, a DataLoader",
                s.queryid,
            )
        )
    return out


def slow_queries(endpoint: str, stmts: Iterable[Statement], thresholds: Thresholds) -> list[Finding]:
    return [
        Finding(
            "slow-query",
            endpoint,
            f"`{s.short}` took {s.mean_ms:.1f} ms on average over {s.calls} calls ({s.total_ms:.0f} ms in "
            f"all; PgHero's threshold: {thresholds.slow_query_mean_ms:g} ms over "
            f"{thresholds.slow_query_min_calls} calls)",
            "run EXPLAIN (ANALYZE, BUFFERS) on it; `stanchion db suggest-indexes` proposes the index it "
            "lacks, proven with HypoPG",
            s.queryid,
        )
        for s in slow(stmts, thresholds)
    ]


def cache_candidates(endpoint: str, stmts: list[Statement], requests: int) -> list[Finding]:
    written: set[str] = set()
    for s in stmts:
        if is_write(s):
            written |= tables_read(s.query)
    out = []
    for s in stmts:
        if is_write(s) or s.calls < 2 or s.calls / requests < CACHE_PER_REQUEST:
            continue
        tables = tables_read(s.query)
        if not tables or tables & written:
            continue
        ratio = (s.calls - 1) / s.calls
        names = ", ".join(sorted(tables))
        if has_parameters(s):
            hits = (
                f"a cache keyed by its parameters would answer up to {ratio:.1%} of them (all but the first)"
            )
        else:
            hits = f"it takes no parameters, so a cache would answer {ratio:.1%} of them"
        out.append(
            Finding(
                "cache-candidate",
                endpoint,
                f"`{s.short}` ran {s.calls} times over {requests} requests with no write to {names} in "
                f"between; {hits}",
                f"cache its result (in process with a TTL, or Redis) and drop the entry when {names} is "
                "written",
                s.queryid,
            )
        )
    return out


def missing_indexes(endpoint: str, advice: AdviceResult, stmts: Iterable[Statement]) -> list[Finding]:
    ids = {" ".join(s.query.split()): s.queryid for s in stmts}
    out = []
    for suggestion in advice.suggestions:
        for q in suggestion.queries:
            short = " ".join(q.query.split())
            out.append(
                Finding(
                    "missing-index",
                    endpoint,
                    f"`{short if len(short) <= 120 else short[:117] + '...'}`: planner cost {q.cost_before:,.1f} "
                    f"-> {q.cost_after:,.1f} ({q.ratio:.1f}x less) with a hypothetical index on "
                    f"{suggestion.table} ({', '.join(suggestion.columns)}), proven with HypoPG",
                    f"{suggestion.create_sql()}; `stanchion db suggest-indexes --output migrations/` writes "
                    "it as a migration",
                    ids.get(short),
                )
            )
    return out


def errors(endpoint: str, failed: dict[str, int], attempts: int) -> list[Finding]:
    total = sum(failed.values())
    if not total:
        return []
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(failed.items()) if n)
    return [
        Finding(
            "errors",
            endpoint,
            f"{total} of {attempts} requests failed ({kinds})",
            "the app's log has the cause; check the path, the method and any auth header "
            "(-H 'Authorization: ...') before reading the figures",
        )
    ]


def wanted(optimize: Iterable[str]) -> set[str]:
    """The finding ids the ``--optimize`` areas ask for (failing requests are always reported)."""
    ids = {"errors"}
    for area in optimize:
        ids.update(AREAS[area])
    return ids
