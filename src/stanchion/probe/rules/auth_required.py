"""Operations the spec marks secured that answer without valid credentials.

Broken authentication is the second of the OWASP API Top 10: an endpoint that forgets its guard, or a
token check that accepts an unsigned (``alg: none``), expired or malformed token, opens the data to
anyone. Needs ``--spec``; every secured operation is sent no token, a malformed one, an expired one and
an unsigned one, and must answer 401 (or 403).

Bad::

    GET /orders   (Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.)
    HTTP/1.1 200 OK

Good::

    GET /orders   (Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.)
    HTTP/1.1 401 Unauthorized
    WWW-Authenticate: Bearer error="invalid_token"
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._jwt import BAD_TOKENS

RULE = ProbeRuleInfo(
    "auth-required",
    "high",
    "guard every secured route; verify the signature with a fixed algorithm list (never 'none') and exp",
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    secured = [op for op in ctx.operations if op.secured and op.method == "GET"]
    if not secured:
        ctx.notes.append(f"{RULE.id}: not checked (needs --spec with secured GET operations)")
        return
    for op in secured[:6]:
        for what, token in BAD_TOKENS:
            answer = ctx.client.request("GET", op.concrete(), ctx.auth(token))
            if answer.status and (answer.status < 400 or answer.status >= 500):
                yield ctx.finding(RULE, op.endpoint, f"answered {answer.status} to {what}")
                break
