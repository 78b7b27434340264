"""CORS that echoes back whatever Origin the request sends.

A reflected origin lets any web page a user visits read the API's answers in their name (with
credentials, their data). Compare the Origin with an allow-list.

Bad::

    Origin: https://attacker.example
    Access-Control-Allow-Origin: https://attacker.example

Good::

    Origin: https://attacker.example
    (no Access-Control-Allow-Origin)
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._cors import EVIL_ORIGIN, allowed, with_origin

RULE = ProbeRuleInfo(
    "cors-reflected-origin", "high", "check Origin against an allow-list instead of echoing it back"
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    path, answer = with_origin(ctx, EVIL_ORIGIN)
    origin, credentials = allowed(answer)
    if origin == EVIL_ORIGIN:
        extra = " with credentials" if credentials else ""
        yield ctx.finding(RULE, f"GET {path}", f"Origin {EVIL_ORIGIN} allowed{extra}")
