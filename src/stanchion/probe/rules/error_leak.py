"""Error answers (4xx/5xx) that show stack traces, SQL or the framework's name.

A trace or an SQL error maps the code, the database and its tables for an attacker, and a framework name
says which exploits to try. Answer errors with a short problem document and log the details.

Bad::

    HTTP/1.1 500 Internal Server Error
    Traceback (most recent call last):
      File "app.py", line 12, in get_item
    psycopg.errors.SyntaxError: syntax error at or near "'"

Good::

    HTTP/1.1 500 Internal Server Error
    Content-Type: application/problem+json

    {"title": "Internal Server Error", "status": 500}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stanchion.probe.base import ProbeContext, ProbeFinding, ProbeRuleInfo
from stanchion.probe.client import Answer

RULE = ProbeRuleInfo(
    "error-leak",
    "medium",
    "answer errors with a generic problem document (RFC 9457); log traces server-side; turn debug off",
)

LEAKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("a stack trace", re.compile(r"\n\s+at [\w.$<>]+ ?\(.*:\d+(:\d+)?\)|\bat .+\.(js|ts|java):\d+")),
    ("a Java exception", re.compile(r"\bjava\.lang\.\w+|Exception in thread")),
    (
        "an SQL error",
        re.compile(
            r"SQLSTATE|syntax error at or near|You have an error in your SQL syntax|ORA-\d{5}"
            r"|sqlite3\.\w+Error|psycopg|SQLAlchemy|PDOException",
            re.IGNORECASE,
        ),
    ),
    (
        "a framework name",
        re.compile(r"\b(Werkzeug|Django|Flask|Laravel|Symfony|Express|Starlette|Rails|Spring Boot)\b"),
    ),
)


def leaked(answer: Answer) -> str | None:
    for what, pattern in LEAKS:
        match = pattern.search(answer.text)
        if match:
            return f"{answer.status} answer shows {what}: {match.group(0).strip()[:80]!r}"
    return None


def _provocations(ctx: ProbeContext) -> Iterator[Answer]:
    yield ctx.get("/stanchion-probe-no-such-path'")
    for op in ctx.operations[:8]:
        if op.path_params:
            yield ctx.client.request(op.method, op.concrete("1'%22"), ctx.auth(ctx.token))
    for op in ctx.body_operations()[:4]:
        yield ctx.client.request(
            op.method, op.concrete(), {"Content-Type": "application/json", **ctx.auth(ctx.token)}, b"{"
        )


def check(ctx: ProbeContext) -> Iterator[ProbeFinding]:
    for answer in _provocations(ctx):
        if answer.status >= 400:
            evidence = leaked(answer)
            if evidence:
                yield ctx.finding(RULE, f"{answer.method} {answer.path}", evidence)
                return
