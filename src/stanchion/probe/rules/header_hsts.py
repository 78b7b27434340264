"""An https API without ``Strict-Transport-Security``.

Without HSTS a client that once typed http:// can be downgraded on a hostile network and its token read
in the clear. Checked only when the base URL is https.

Bad::

    HTTP/1.1 200 OK   (over https)

Good::

    HTTP/1.1 200 OK   (over https)
    Strict-Transport-Security: max-age=31536000; includeSubDomains
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo

RULE = ProbeRuleInfo(
    "header-hsts",
    "medium",
    "send Strict-Transport-Security: max-age=31536000; includeSubDomains on https answers",
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    if ctx.client.scheme != "https":
        return
    answer = ctx.get("/")
    hsts = answer.header("strict-transport-security") or ""
    if answer.status and "max-age" not in hsts.lower():
        yield ctx.finding(RULE, "GET /", f"https answer without Strict-Transport-Security ({hsts or 'none'})")
