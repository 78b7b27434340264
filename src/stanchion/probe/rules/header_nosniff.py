"""Answers without ``X-Content-Type-Options: nosniff``.

Without it a browser may sniff a JSON answer as HTML or script and run what an attacker stored in it.
The header costs nothing on every answer.

Bad::

    HTTP/1.1 200 OK
    Content-Type: application/json

Good::

    HTTP/1.1 200 OK
    Content-Type: application/json
    X-Content-Type-Options: nosniff
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo

RULE = ProbeRuleInfo(
    "header-nosniff", "medium", "send X-Content-Type-Options: nosniff on every answer (a middleware)"
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    for path in ctx.sample_paths()[:5]:
        answer = ctx.get(path, ctx.auth(ctx.token))
        if answer.status and (answer.header("x-content-type-options") or "").lower() != "nosniff":
            yield ctx.finding(RULE, f"GET {path}", f"{answer.status} answer without X-Content-Type-Options")
            return
