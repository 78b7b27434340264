"""The rules tables of docs/db.md, generated from the rule docstrings (``stanchion db rules --markdown``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stanchion.db.analyze.registry import parse_doc

MARKERS = {
    "analyze": ("<!-- rules:analyze:start -->", "<!-- rules:analyze:end -->"),
    "lint": ("<!-- rules:lint:start -->", "<!-- rules:lint:end -->"),
    "diff": ("<!-- rules:diff:start -->", "<!-- rules:diff:end -->"),
}

DIFF_HAZARDS = [
    ("data loss", "a table or column is dropped: its data is gone (the down plan cannot bring it back)"),
    ("table rewrite", "the table is rewritten: a column type change, a volatile default, a SQLite rebuild"),
    ("long lock", "an exclusive lock held while the table is scanned or an index is built"),
    ("fails on existing rows", "NOT NULL, CHECK, UNIQUE or a type cast that existing rows may violate"),
]


def rules(kind: str) -> list[dict[str, Any]]:
    """Every rule of ``kind`` (analyze or lint) as id, severity, dialects, summary, why, bad, good."""
    if kind == "analyze":
        from stanchion.db.analyze import all_rules as analyze_rules

        modules: list[Any] = list(analyze_rules())
    else:
        from stanchion.db.lint import all_rules as lint_rules

        modules = list(lint_rules())
    out = []
    for module in modules:
        doc = parse_doc(module.__doc__, module.RULE.id)
        info = module.RULE
        out.append(
            {
                "id": info.id,
                "severity": info.severity,
                "dialects": list(info.dialects),
                "needs": list(getattr(info, "needs", ())),
                "size_sensitive": bool(getattr(info, "size_sensitive", False)),
                "summary": doc.summary,
                "why": doc.why,
                "bad": doc.bad,
                "good": doc.good,
            }
        )
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(dialects: list[str]) -> str:
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite", "mysql": "MySQL"}
    return ", ".join(names[d] for d in dialects)


def table_markdown(kind: str) -> str:
    if kind == "diff":
        lines = ["| hazard | when |", "|---|---|"]
        lines += [f"| {name} | {_cell(when)} |" for name, when in DIFF_HAZARDS]
        return "\n".join(lines)
    lines = ["| rule | severity | dialects | what it finds |", "|---|---|---|---|"]
    for rule in rules(kind):
        extra = ""
        if rule["needs"]:
            extra = f" (needs {', '.join(rule['needs'])})"
        if rule["size_sensitive"]:
            extra = " (by live size: info if empty, at most warning if small)"
        lines.append(
            f"| `{rule['id']}` | {rule['severity']}{extra} | {_short(rule['dialects'])} | "
            f"{_cell(rule['summary'])} {_cell(rule['why'])} |"
        )
    return "\n".join(lines)


def _constant(value: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: value


def update_markdown(text: str) -> str:
    """``text`` (docs/db.md) with every generated section between its markers refreshed."""
    for kind, (start, end) in MARKERS.items():
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        if pattern.search(text):
            block = f"{start}\n{table_markdown(kind)}\n{end}"
            text = pattern.sub(_constant(block), text)
    return text
