"""`stanchion decide` through the real CLI: exit codes, one-line errors, JSON that matches its schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from stanchion.cli.main import main
from stanchion.decide.result import decision_json_schema

EXAMPLE = [
    "--team-size", "8", "--qps-p99", "50", "--read-write-ratio", "20", "--tenancy", "shared-multi-tenant",
    "--data-sensitivity", "pii", "--pattern", "modular-monolith", "--language-preference", "typescript",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STANCHION_PROFILES_DIR", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_issue_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decide", *EXAMPLE, "--rpo", "15m", "--rto", "1h", "--slo", "99.9")
    assert code == 0
    assert out.startswith("Recommended profile: node-express (score 100/100)")
    for section in (
        "Runner-up: fastapi-python",
        "Targets (SLO floor: p99 600 ms)",
        "p50 100 ms, p95 300 ms, p99 600 ms",
        "RPO / RTO      15m (stated) / 1h (stated)",
        "Stack picks",
        "Anti-patterns to avoid",
        "Approval: NOT APPROVED. Stanchion recommends; it does not approve.",
        "  1. Tech lead:",
        "Success criteria (verifiable)",
        "How each input moved each profile's score",
        "Why node-express scores 100",
    ):
        assert section in out, section
    assert re.search(r"^  node-express +100 +25/25 +20/20 +20/20 +20/20 +- +10/10", out, re.M)


def test_missing_inputs_exit_2_naming_each(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "decide", "--team-size", "8", "--language-preference", "typescript")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == (
        "error: missing required inputs: --read-write-ratio, --qps-p99, --tenancy, --data-sensitivity, --pattern"
    )
    assert lines[1].startswith("hint: ") and len(lines) == 2


def test_bad_value_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "decide", *EXAMPLE[:-2], "--language-preference", "cobol")
    assert code == 2
    assert err.splitlines() == [
        "error: --language-preference: unknown value 'cobol'",
        "hint: use one of: typescript, python, go, rust, java, kotlin, dotnet",
    ]


def test_json_output_matches_the_documented_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "decide", *EXAMPLE)
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, decision_json_schema())
    assert document["recommendation"]["id"] == "node-express"
    assert document["approval"]["status"] == "not-approved"
    code, out, _ = run(capsys, "decide", "schema")
    assert json.loads(out) == json.loads(json.dumps(decision_json_schema()))


def test_explain_shows_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "decide", *EXAMPLE, "--explain")
    for profile in ("node-express", "fastapi-python", "django-monolith", "go-or-rust-microservice"):
        assert f"Why {profile} scores" in out
    assert "excluded: under 10 engineers and under 1000 QPS" in out


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["decide"], ["decide", "grill"], ["decide", "profiles", "validate"], ["decide", "schema"]):
        code, out, _ = run(capsys, *args, "--help")
        assert code == 0 and "Examples:" in out


def test_profiles_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "decide", "profiles", "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == [
        "node-express", "fastapi-python", "django-monolith", "go-or-rust-microservice",
    ]  # fmt: skip
    code, out, _ = run(capsys, "decide", "profiles", "show", "django-monolith", "--json")
    assert code == 0 and json.loads(out)["thresholds"]["p99_ms"] == 800
    code, _, err = run(capsys, "decide", "profiles", "show", "rails")
    assert code == 2 and "no profile named 'rails'" in err


def _copy(capsys: pytest.CaptureFixture[str], profile_id: str) -> dict[str, object]:
    code, out, _ = run(capsys, "decide", "profiles", "show", profile_id, "--json")
    assert code == 0
    document: dict[str, object] = json.loads(out)
    return document


def test_profiles_validate_reports_json_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    good = _copy(capsys, "node-express")
    (folder / "good.json").write_text(json.dumps(good))
    code, out, _ = run(capsys, "decide", "profiles", "validate", str(folder))
    assert code == 0 and out.startswith("1 profile(s) valid")
    bad = json.loads(json.dumps(good))
    bad["id"] = "acme"
    bad["thresholds"]["p99_ms"] = 0
    bad["approvers"][0]["role"] = ""
    (folder / "bad.json").write_text(json.dumps(bad))
    code, out, _ = run(capsys, "decide", "profiles", "validate", str(folder))
    assert code == 1
    assert f"{folder / 'bad.json'}: $.thresholds.p99_ms: Input should be greater than 0 (got 0)" in out
    assert f"{folder / 'bad.json'}: $.approvers[0].role: String should have at least 1 character" in out
    code, out, _ = run(capsys, "--json", "decide", "profiles", "validate", str(folder))
    document = json.loads(out)
    assert code == 1 and not document["valid"]
    assert {p["path"] for p in document["problems"]} == {"$.thresholds.p99_ms", "$.approvers[0].role"}
    code, _, err = run(capsys, "decide", *EXAMPLE, "--profiles", str(folder))
    assert code == 2 and err.startswith(f"error: invalid profile {folder / 'bad.json'}: $.")
    assert "(and 1 more problem)" in err.splitlines()[0]


def test_profiles_dir_from_the_project_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = _copy(capsys, "node-express")
    custom["thresholds"] = {**custom["thresholds"], "p99_ms": 400, "p95_ms": 250}  # type: ignore[dict-item]
    (tmp_path / "team-profiles").mkdir()
    (tmp_path / "team-profiles" / "node.json").write_text(json.dumps(custom))
    (tmp_path / "stanchion.toml").write_text('profiles_dir = "team-profiles"\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    code, out, _ = run(capsys, "--json", "decide", *EXAMPLE)
    assert code == 0
    document = json.loads(out)
    assert document["targets"]["slo_floor_p99_ms"] == 400
    assert document["recommendation"]["source"] == str(tmp_path / "team-profiles" / "node.json")
    code, out, _ = run(capsys, "decide", "profiles", "list")
    assert "(replaces the built-in)" in out
