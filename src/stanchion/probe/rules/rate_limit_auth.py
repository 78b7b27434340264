"""Authentication paths without rate limiting (no 429 with ``Retry-After`` within a short burst).

Login, token and password endpoints are where credential stuffing and brute force land; without a limit
an attacker tries passwords as fast as the server answers. The probe sends a bounded burst (30 requests
by default) of wrong credentials to each auth path of the spec and expects a 429 with ``Retry-After``.

Bad::

    POST /login  x30 (wrong password)
    HTTP/1.1 401 Unauthorized   (every time)

Good::

    POST /login  x30 (wrong password)
    HTTP/1.1 429 Too Many Requests
    Retry-After: 60
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import AUTH_PATH, ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.ratelimit import RateLimitSeen

RULE = ProbeRuleInfo(
    "rate-limit-auth",
    "medium",
    "rate-limit auth paths per client and account; answer 429 with Retry-After",
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    paths = [op for op in ctx.operations if op.method == "POST" and AUTH_PATH.search(op.path)]
    if not paths:
        ctx.notes.append(f"{RULE.id}: not checked (needs --spec with a POST login/token/auth path)")
        return
    for op in paths[:2]:
        seen = RateLimitSeen()
        for _ in range(ctx.burst):
            answer = ctx.client.json_request(
                "POST", op.concrete(), {"username": "probe", "password": "wrong-password", "email": "p@x.io"}
            )
            seen.add(answer.status, answer.header("retry-after"))
            if seen.limited:
                break
        problem = seen.problem(ctx.burst)
        if problem:
            yield ctx.finding(RULE, op.endpoint, problem)
