"""The probe against a real API on 127.0.0.1: every rule passes on the clean server and finds its flaw
when that flaw alone is switched on; the whole flawed server has every flaw found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanchion.cli.main import main
from stanchion.db.analyze.registry import parse_doc
from stanchion.probe.run import Budget, all_rules, probe
from tests.probe.server import SPEC, serve

RULE_IDS = [r.RULE.id for r in all_rules()]
HTTP_RULES = [i for i in RULE_IDS if i != "header-hsts"]  # the test servers speak http


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("probe") / "openapi.json"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    return str(path)


def _run(url: str, spec: str, only: list[str] | None = None) -> list[str]:
    result = probe(url, spec=spec, token="token-a", token_b="token-b", only=only)
    assert not result.incomplete
    return [f.id for f in result.findings]


@pytest.mark.parametrize("rule_id", HTTP_RULES)
def test_rule_fails_on_its_flaw_and_passes_without(rule_id: str, spec: str) -> None:
    with serve({rule_id}) as url:
        assert rule_id in _run(url, spec, [rule_id])
    with serve() as url:
        assert _run(url, spec, [rule_id]) == []


def test_every_flaw_found_and_the_clean_server_scores_100(spec: str) -> None:
    # one answer cannot both reflect the origin and allow '*': the wildcard flaw is proven on its own
    flaws = set(HTTP_RULES) - {"cors-wildcard-credentials"}
    with serve(flaws) as url:
        result = probe(url, spec=spec, token="token-a", token_b="token-b")
        assert sorted({f.id for f in result.findings}) == sorted(flaws)
        assert result.score == 0 and not result.incomplete
    with serve() as url:
        result = probe(url, spec=spec, token="token-a", token_b="token-b")
        assert result.findings == [] and result.score == 100


def test_every_rule_documents_what_why_bad_good_and_fix() -> None:
    for rule in all_rules():
        doc = parse_doc(rule.__doc__, rule.RULE.id)
        assert doc.summary and doc.why and doc.bad and doc.good and rule.RULE.fix
        assert rule.RULE.severity in ("high", "medium", "low")


def test_budget_is_held(spec: str) -> None:
    with serve(set(HTTP_RULES)) as url:
        result = probe(url, spec=spec, token="token-a", token_b="token-b", budget=Budget(requests=10))
    assert result.requests == 10
    assert result.incomplete  # the rules the budget stopped are named


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_findings_and_exit_code(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"cors-reflected-origin", "header-banner"}) as url:
        args = ["probe", url, "--spec", spec, "--token", "token-a", "--token-b", "token-b", "--json"]
        failed = _cli(capsys, *args)
        passed = _cli(capsys, *args, "--rule", "header-banner")
        spec_url = _cli(capsys, "probe", url, "--spec", f"{url}/openapi.json")
    assert failed[0] == 1, failed
    document = json.loads(failed[1])
    assert {f["id"] for f in document["findings"]} == {"cors-reflected-origin", "header-banner"}
    assert all(set(f) == {"id", "severity", "endpoint", "evidence", "fix"} for f in document["findings"])
    assert document["score"] == 70
    assert "budget: at most 300 requests" in failed[2]
    assert passed[0] == 0  # a low finding is below the default --fail-on high
    assert spec_url[0] == 1 and "cors-reflected-origin" in spec_url[2] + spec_url[1]
    assert "score 70/100" in spec_url[1] + spec_url[2]


def test_cli_unreachable_and_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    with serve() as url:
        pass  # the port is free again
    gone = _cli(capsys, "probe", url)
    assert gone[0] == 3 and "no answer" in gone[2]
    bad = _cli(capsys, "probe", "ftp://x")
    assert bad[0] == 2 and "not an http(s) base URL" in bad[2]


def test_docs_rules_table_is_current() -> None:
    from stanchion.probe.docs import update_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "probe.md"
    text = doc.read_text(encoding="utf-8")
    assert update_markdown(text) == text, "regenerate with stanchion.probe.docs.update_markdown"
    assert all(f"`{rule_id}`" in text for rule_id in RULE_IDS)
