"""docs/db.md's rules tables are generated from the rule docstrings and must be up to date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanchion.cli.main import main
from stanchion.db.analyze.docs import MARKERS, rules, update_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "db.md"


def test_docs_rules_tables_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    for start, end in MARKERS.values():
        assert start in text and end in text
    assert update_markdown(text) == text, "run scripts/gen_rules_doc.py to refresh docs/db.md"
    for kind in ("analyze", "lint"):
        for rule in rules(kind):
            assert f"`{rule['id']}`" in text


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "rules", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in document["analyze"]} >= {"fk-without-index", "n-plus-one", "unused-index"}
    assert all(r["bad"] and r["good"] and r["why"] for k in document for r in document[k])
    assert main(["db", "rules", "--markdown", "--kind", "lint"]) == 0
    assert "| `ban-drop-table` |" in capsys.readouterr().out
