"""What the CORS rules share: a request with a chosen Origin and the CORS headers of its answer."""

from __future__ import annotations

from stanchion.probe.base import ProbeContext
from stanchion.probe.client import Answer

EVIL_ORIGIN = "https://attacker.example"


def with_origin(ctx: ProbeContext, origin: str) -> tuple[str, Answer]:
    paths = [op.concrete() for op in ctx.operations if op.method == "GET" and op.secured] or ["/"]
    path = paths[0]
    return path, ctx.get(path, {"Origin": origin, **ctx.auth(ctx.token)})


def allowed(answer: Answer) -> tuple[str, bool]:
    origin = answer.header("access-control-allow-origin") or ""
    credentials = (answer.header("access-control-allow-credentials") or "").lower() == "true"
    return origin.strip(), credentials
