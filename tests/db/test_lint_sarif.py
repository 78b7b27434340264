"""db lint --format sarif: a SARIF 2.1.0 log that the schema accepts (pydantic-sarif, a model generated
from the OASIS schema with extra keys forbidden), with every rule, finding and suppression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic_sarif.model import StaticAnalysisResultsFormatSarifVersion210JsonSchema as SarifLog

from stanchion.cli.main import main
from stanchion.db.lint import all_rules


def test_sarif_log_is_valid_and_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "migrations").mkdir()
    migration = tmp_path / "migrations" / "20240101000000_index.sql"
    migration.write_text(
        "-- migrate:up\nCREATE INDEX orders_customer ON orders (customer_id);\n"
        "-- stanchion:ignore ban-drop-table -- archived to S3 in 2023\nDROP TABLE audit;\n"
        "-- migrate:down\nDROP INDEX orders_customer;\n"
    )
    assert main(["db", "lint", "migrations", "--format", "sarif"]) == 1
    document = json.loads(capsys.readouterr().out)
    SarifLog.model_validate(document)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [m.RULE.id for m in all_rules()]
    assert all(r["shortDescription"]["text"] and "Bad:" in r["help"]["text"] for r in rules)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    created = by_rule["require-concurrent-index-creation"]
    assert created["level"] == "error"
    assert rules[created["ruleIndex"]]["id"] == "require-concurrent-index-creation"
    location = created["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "migrations/20240101000000_index.sql",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {"startLine": 2, "startColumn": 1}
    dropped = by_rule["ban-drop-table"]
    assert dropped["suppressions"] == [{"kind": "inSource", "justification": "archived to S3 in 2023"}]
    assert by_rule["require-lock-timeout"]["level"] == "note"  # the runner sets lock_timeout (5s)


def test_sarif_of_a_clean_run_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "ok.sql"
    clean.write_text("CREATE TABLE account (id bigint PRIMARY KEY);\n")
    assert main(["db", "lint", str(clean), "--format", "sarif"]) == 0
    document = json.loads(capsys.readouterr().out)
    SarifLog.model_validate(document)
    assert document["runs"][0]["results"] == []
