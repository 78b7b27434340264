"""Writes that accept privileged properties the schema does not offer (``role``, ``isAdmin``).

Binding the whole request body onto a model lets a caller set fields that only the server should:
their role, their account's owner, a price. The probe creates a resource with extra properties and
looks for them in the answer.

Bad::

    POST /users  {"name": "a", "role": "admin", "isAdmin": true}
    HTTP/1.1 201 Created
    {"id": 5, "name": "a", "role": "admin", "isAdmin": true}

Good::

    POST /users  {"name": "a", "role": "admin", "isAdmin": true}
    HTTP/1.1 422 Unprocessable Content
"""

from __future__ import annotations

from collections.abc import Iterator

from stanchion.probe.base import AUTH_PATH, ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.spec import example_body

RULE = ProbeRuleInfo(
    "mass-assignment",
    "high",
    "bind only the schema's writable fields (an explicit input model; additionalProperties: false)",
)

EXTRA = {"role": "admin", "isAdmin": True, "is_admin": True}


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    creates = [op for op in ctx.operations if op.method == "POST" and not AUTH_PATH.search(op.path)]
    if not creates:
        ctx.notes.append(f"{RULE.id}: not checked (needs --spec with a POST operation)")
        return
    for op in creates[:4]:
        declared = set((op.body_schema or {}).get("properties") or {})
        extra = {k: v for k, v in EXTRA.items() if k not in declared}
        if not extra:
            continue
        answer = ctx.client.json_request(
            "POST", op.concrete(), {**example_body(op.body_schema), **extra}, ctx.auth(ctx.token)
        )
        document = answer.json()
        if 200 <= answer.status < 300 and isinstance(document, dict):
            kept = sorted(k for k, v in extra.items() if document.get(k) == v)
            if kept:
                yield ctx.finding(RULE, op.endpoint, f"{answer.status}; the answer kept {', '.join(kept)}")
