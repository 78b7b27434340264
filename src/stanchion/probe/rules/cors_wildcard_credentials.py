"""CORS that allows any origin (``*``) together with credentials.

Browsers refuse the pair, so servers that want it usually "fix" it by reflecting the origin; either way
the intent is that every site may read answers with the user's cookies. Allow a list of origins instead.

Bad::

    Access-Control-Allow-Origin: *
    Access-Control-Allow-Credentials: true

Good::

    Access-Control-Allow-Origin: https://app.example.com
    Access-Control-Allow-Credentials: true
    Vary: Origin
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._cors import EVIL_ORIGIN, allowed, with_origin

RULE = ProbeRuleInfo(
    "cors-wildcard-credentials",
    "high",
    "allow a fixed list of origins; never '*' with Access-Control-Allow-Credentials: true",
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    path, answer = with_origin(ctx, EVIL_ORIGIN)
    origin, credentials = allowed(answer)
    if origin == "*" and credentials:
        yield ctx.finding(
            RULE, f"GET {path}", "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true"
        )
