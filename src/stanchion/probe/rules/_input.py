"""What the input-handling rules share: send one odd body to each operation that takes one."""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo


def odd_bodies(
    ctx: ProbeContext, info: ProbeRuleInfo, content_type: str, body: bytes, what: str
) -> Iterator[ProbeFinding]:
    operations = ctx.body_operations()
    if not operations:
        ctx.notes.append(f"{info.id}: not checked (needs --spec with operations that take a body)")
        return
    for op in operations[:4]:
        headers = {"Content-Type": content_type, **ctx.auth(ctx.token)}
        answer = ctx.client.request(op.method, op.concrete(), headers, body)
        if answer.status >= 500 or 200 <= answer.status < 300:
            yield ctx.finding(info, op.endpoint, f"{what} answered {answer.status}, not 4xx")
            return
