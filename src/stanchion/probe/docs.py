"""docs/probe.md's rules table, generated from the rule docstrings (tests/probe keep it current)."""

from __future__ import annotations

import re

from stanchion.db.analyze.registry import parse_doc
from stanchion.probe.run import all_rules

START = "<!-- probe-rules:start -->"
END = "<!-- probe-rules:end -->"


def rules_table() -> str:
    rows = ["| id | severity | checks | why | fix |", "|---|---|---|---|---|"]
    for rule in all_rules():
        doc = parse_doc(rule.__doc__, rule.RULE.id)
        cells = [f"`{rule.RULE.id}`", rule.RULE.severity, doc.summary, doc.why, rule.RULE.fix]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def update_markdown(text: str) -> str:
    """``text`` with the table between the markers replaced by the current one."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(lambda _: f"{START}\n{rules_table()}\n{END}", text)
