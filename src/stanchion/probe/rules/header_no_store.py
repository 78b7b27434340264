"""Authenticated answers that caches may keep (no ``Cache-Control: no-store``).

An answer to a request with credentials holds one user's data; a shared proxy or the browser's cache
can hand it to the next user of the machine or the network. Needs ``--token``.

Bad::

    GET /me  (Authorization: Bearer ...)
    HTTP/1.1 200 OK
    Content-Type: application/json

Good::

    GET /me  (Authorization: Bearer ...)
    HTTP/1.1 200 OK
    Cache-Control: no-store
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo

RULE = ProbeRuleInfo(
    "header-no-store",
    "medium",
    "send Cache-Control: no-store on every answer to an authenticated request",
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    if not ctx.token:
        ctx.notes.append(f"{RULE.id}: not checked (needs --token)")
        return
    secured = [op.concrete() for op in ctx.operations if op.secured and op.method == "GET"]
    for path in (secured or ctx.sample_paths())[:5]:
        answer = ctx.get(path, ctx.auth(ctx.token))
        if 200 <= answer.status < 300 and "no-store" not in (answer.header("cache-control") or "").lower():
            shown = answer.header("cache-control") or "no Cache-Control"
            yield ctx.finding(RULE, f"GET {path}", f"{answer.status} authenticated answer with {shown}")
            return
