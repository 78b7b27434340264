"""Oversized request bodies that are accepted or break the server.

Without a body limit one request can tie up memory and a worker; the answer should be 413 before the
body is read. The probe sends 2 MiB of JSON.

Bad::

    POST /items  (2 MiB body)
    HTTP/1.1 500 Internal Server Error

Good::

    POST /items  (2 MiB body)
    HTTP/1.1 413 Content Too Large
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.rules._input import odd_bodies

RULE = ProbeRuleInfo(
    "input-oversized", "medium", "limit the request body (e.g. 1 MiB) and answer 413 above it"
)

BODY = json.dumps({"data": "x" * (2 * 1024 * 1024)}).encode()


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    yield from odd_bodies(ctx, RULE, "application/json", BODY, "a 2 MiB body")
