"""Deeply nested JSON that is accepted or breaks the server.

Recursive parsers and validators run out of stack on ten thousand nested arrays; the answer should be
a 400 from a depth limit, not a 500 (or a worker lost).

Bad::

    POST /items  ([[[[ ... 10000 deep ... ]]]])
    HTTP/1.1 500 Internal Server Error

Good::

    POST /items  ([[[[ ... 10000 deep ... ]]]])
    HTTP/1.1 400 Bad Request
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._input import odd_bodies

RULE = ProbeRuleInfo(
    "input-nesting", "medium", "validate bodies against the schema and limit JSON depth; answer 400"
)

DEPTH = 10_000
BODY = b"[" * DEPTH + b"]" * DEPTH


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    yield from odd_bodies(ctx, RULE, "application/json", BODY, f"JSON nested {DEPTH} deep")
