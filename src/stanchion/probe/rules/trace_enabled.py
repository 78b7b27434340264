"""The TRACE method is answered.

TRACE echoes the request, headers included, which helps cross-site tracing steal cookies and
authorization headers; no API needs it.

Bad::

    TRACE / HTTP/1.1
    HTTP/1.1 200 OK
    Content-Type: message/http

Good::

    TRACE / HTTP/1.1
    HTTP/1.1 405 Method Not Allowed
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo

RULE = ProbeRuleInfo(
    "trace-enabled", "medium", "answer TRACE with 405 (nginx: limit_except; the app's router)"
)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    answer = ctx.client.request("TRACE", "/", {"X-Probe-Trace": "stanchion"})
    if 200 <= answer.status < 300:
        echoed = " and echoed the request" if b"X-Probe-Trace" in answer.body else ""
        yield ctx.finding(RULE, "TRACE /", f"answered {answer.status}{echoed}")
