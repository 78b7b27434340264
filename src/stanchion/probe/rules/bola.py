"""One identity reading another's resource by id (BOLA / IDOR, the first of the OWASP API Top 10).

An API that checks that the caller is logged in, but not that the object is theirs, lets any user walk
the ids. Needs ``--spec``, ``--token`` (identity A) and ``--token-b`` (identity B): the probe lists a
collection as A, takes the first item's id, and reads it as B.

Bad::

    GET /orders/17  (token B; order 17 belongs to A)
    HTTP/1.1 200 OK

Good::

    GET /orders/17  (token B; order 17 belongs to A)
    HTTP/1.1 404 Not Found
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from stanchion.probe.base import Operation, ProbeContext, ProbeFinding, ProbeRuleInfo

RULE = ProbeRuleInfo(
    "bola",
    "high",
    "scope every lookup by id to the caller (WHERE owner_id = :caller) and answer 404 otherwise",
)


def first_id(document: Any) -> str | None:
    items = document
    if isinstance(document, dict):
        items = next((v for k, v in document.items() if isinstance(v, list) and k in _LISTS), None)
    if isinstance(items, list) and items and isinstance(items[0], dict):
        value = items[0].get("id")
        return str(value) if value is not None else None
    return None


_LISTS = ("items", "data", "results", "content", "records")


def _collection(ctx: ProbeContext, op: Operation) -> Operation | None:
    parent = re.sub(r"/\{[^}]+\}$", "", op.path)
    return next((o for o in ctx.operations if o.method == "GET" and o.path == parent), None)


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    if not (ctx.token and ctx.token_b):
        ctx.notes.append(f"{RULE.id}: not checked (needs --token and --token-b)")
        return
    items = [op for op in ctx.operations if op.method == "GET" and re.search(r"/\{[^}]+\}$", op.path)]
    for op in items[:6]:
        collection = _collection(ctx, op)
        if collection is None:
            continue
        listed = ctx.get(collection.concrete(), ctx.auth(ctx.token))
        resource_id = first_id(listed.json()) if listed.status == 200 else None
        if resource_id is None:
            continue
        path = re.sub(r"\{[^}]+\}$", resource_id, op.path)
        if ctx.get(path, ctx.auth(ctx.token)).status != 200:
            continue
        answer = ctx.get(path, ctx.auth(ctx.token_b))
        if 200 <= answer.status < 300:
            yield ctx.finding(RULE, op.endpoint, f"identity B read A's {path}: {answer.status}")
