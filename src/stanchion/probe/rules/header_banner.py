"""Answers that name the server software and its version (``X-Powered-By``, ``Server: x/1.2``).

A banner tells an attacker which known vulnerabilities to try first, and nothing to anyone else.

Bad::

    HTTP/1.1 200 OK
    X-Powered-By: Express
    Server: nginx/1.18.0

Good::

    HTTP/1.1 200 OK
    Server: nginx
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo

RULE = ProbeRuleInfo(
    "header-banner",
    "low",
    "drop X-Powered-By (app.disable('x-powered-by'), server_tokens off) and the version from Server",
)

_VERSION = re.compile(r"\d+\.\d+")


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    answer = ctx.get("/")
    powered = answer.header("x-powered-by")
    server = answer.header("server") or ""
    if powered:
        yield ctx.finding(RULE, "GET /", f"X-Powered-By: {powered}")
    elif _VERSION.search(server):
        yield ctx.finding(RULE, "GET /", f"Server: {server}")
