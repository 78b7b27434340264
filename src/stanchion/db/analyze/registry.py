"""Rules as data: one module per rule, found by walking a package, each described by its docstring.

A rule module defines ``RULE`` (its id, severity and dialects) and ``check``. Its docstring holds the
rule's documentation: a one-line summary, a paragraph on why it matters, and two literal blocks introduced
by ``Bad::`` and ``Good::``. The docs table (docs/db.md) and the rule tests are generated from them, so the
examples are real SQL that the tests run.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import textwrap
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class RuleDoc:
    summary: str
    why: str
    bad: str
    good: str


def parse_doc(doc: str | None, where: str) -> RuleDoc:
    """Split a rule docstring into summary, why, bad and good; a malformed one is a defect (ValueError)."""
    text = textwrap.dedent(doc or "").strip()
    match = re.search(r"^Bad::\s*\n(?P<bad>.*?)^Good::\s*\n(?P<good>.*)\Z", text, re.MULTILINE | re.DOTALL)
    if not match:
        raise ValueError(f"{where}: docstring needs 'Bad::' and 'Good::' example blocks")
    head = text[: match.start()].strip().split("\n\n")
    summary = " ".join(head[0].split())
    why = " ".join(" ".join(head[1:]).split())
    return RuleDoc(
        summary,
        why,
        textwrap.dedent(match.group("bad")).strip(),
        textwrap.dedent(match.group("good")).strip(),
    )


def rule_modules(package: str) -> list[ModuleType]:
    """Every rule module in ``package``, sorted by rule id."""
    pkg = importlib.import_module(package)
    modules = [
        importlib.import_module(f"{package}.{info.name}")
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda m: str(m.RULE.id))


def examples(doc: RuleDoc, block: str) -> dict[str, str]:
    """The example of ``block`` per dialect: a block may hold ``-- dialect: sqlite`` sections."""
    text = doc.bad if block == "bad" else doc.good
    parts = re.split(r"^-- dialect: (\w+)\s*$", text, flags=re.MULTILINE)
    if len(parts) == 1:
        return {"postgresql": text}
    out: dict[str, str] = {}
    if parts[0].strip():
        out["postgresql"] = parts[0].strip()
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        out[name] = body.strip()
    return out
