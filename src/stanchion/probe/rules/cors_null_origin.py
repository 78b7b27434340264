"""CORS that allows the ``null`` origin.

Sandboxed iframes, ``file:`` pages and some redirects send ``Origin: null``; any attacker can produce
one, so allowing it is allowing everyone.

Bad::

    Origin: null
    Access-Control-Allow-Origin: null

Good::

    Origin: null
    (no Access-Control-Allow-Origin)
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._cors import allowed, with_origin

RULE = ProbeRuleInfo("cors-null-origin", "medium", "remove 'null' from the allowed origins")


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    path, answer = with_origin(ctx, "null")
    origin, _ = allowed(answer)
    if origin.lower() == "null":
        yield ctx.finding(RULE, f"GET {path}", "Origin: null allowed")
