"""A lint result as a SARIF 2.1.0 log (the OASIS Static Analysis Results Interchange Format), for
code-scanning UIs: GitHub code scanning, GitLab, Azure DevOps.

One run; its driver lists every lint rule (id, summary, why, bad and good examples as help, default
level); each finding is a result with its rule, level, message and location (a path relative to the
working folder under ``%SRCROOT%``, or an absolute ``file://`` URI); suppressed findings are results too,
with an in-source suppression carrying the reason, so a code-scanning UI shows them as dismissed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stanchion.db.lint import LintResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(module: Any) -> dict[str, Any]:
    from stanchion.db.analyze.registry import parse_doc

    info = module.RULE
    doc = parse_doc(module.__doc__, info.id)
    text = f"{doc.why}\n\nBad:\n{doc.bad}\n\nGood:\n{doc.good}"
    markdown = f"{doc.why}\n\nBad:\n\n```sql\n{doc.bad}\n```\n\nGood:\n\n```sql\n{doc.good}\n```"
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.split("-")),
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.why or doc.summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {"dialects": list(info.dialects), "sizeSensitive": info.size_sensitive},
    }


def _location(path: str, line: int, column: int) -> dict[str, Any]:
    file = Path(path)
    artifact: dict[str, Any]
    try:
        relative = file.resolve().relative_to(Path.cwd().resolve())
        artifact = {"uri": relative.as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        artifact = {"uri": file.resolve().as_uri()}
    region = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _result(finding: dict[str, Any], index: dict[str, int], reason: str | None = None) -> dict[str, Any]:
    message = finding["message"] + (f" ({finding['note']})" if finding.get("note") else "")
    out: dict[str, Any] = {
        "ruleId": finding["rule"],
        "level": LEVEL[finding["severity"]],
        "message": {"text": message},
        "locations": [_location(finding["path"], finding["line"], finding["column"])],
    }
    if finding["rule"] in index:
        out["ruleIndex"] = index[finding["rule"]]
    if finding.get("table"):
        out["properties"] = {"table": finding["table"]}
    if reason is not None:
        out["suppressions"] = [{"kind": "inSource", "justification": reason}]
    return out


def to_sarif(result: LintResult) -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``result``."""
    from stanchion import __version__
    from stanchion.db.lint import all_rules

    rules = [_rule(m) for m in all_rules()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_result(f.to_json(), index) for f in result.findings]
    results += [_result(s, index, str(s.get("reason") or "")) for s in result.suppressed]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stanchion db lint",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "properties": {"dialect": result.dialect},
                "results": results,
            }
        ],
    }
