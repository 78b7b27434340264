"""The performance analyzer's core: load one endpoint at a time while diffing the database's statistics.

``analyze(base_url, endpoints, ...) -> PerfReport``: per endpoint a warm-up, a pg_stat_statements snapshot,
a bounded load phase on the load engine (:mod:`stanchion.load`), a second snapshot; the difference is what
that endpoint's requests made the database do. :mod:`stanchion.perf.findings` names N+1 patterns, slow
queries and cache candidates from it. The CLI (``stanchion perf``) parses and renders.
"""

from __future__ import annotations

from stanchion.perf.endpoint import Endpoint, parse_endpoint
from stanchion.perf.run import EndpointReport, PerfReport, analyze

__all__ = ["Endpoint", "EndpointReport", "PerfReport", "analyze", "parse_endpoint"]
