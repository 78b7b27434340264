"""JSON operations that accept, or fail on, a body of the wrong content type.

An API that parses ``text/plain`` as JSON skips the CORS preflight a browser makes for JSON (a CSRF
path); one that breaks on it is fragile. The answer should be 415 (or 400).

Bad::

    POST /items  (Content-Type: text/plain)
    HTTP/1.1 201 Created

Good::

    POST /items  (Content-Type: text/plain)
    HTTP/1.1 415 Unsupported Media Type
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._input import odd_bodies

RULE = ProbeRuleInfo(
    "input-content-type", "medium", "require Content-Type: application/json and answer 415 otherwise"
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    yield from odd_bodies(ctx, RULE, "text/plain", b'{"name": "probe"}', "a text/plain body")
