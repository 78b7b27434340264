"""Profiles are data validated by a schema: invalid ones are rejected with the JSON path of the problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stanchion.decide import decide_from, load_catalog
from stanchion.decide.catalog import BUILTIN_IDS, builtin_profiles, json_path, parse_profile
from stanchion.decide.schema import profile_json_schema
from stanchion.errors import ConfigError

EXAMPLE = {
    "team_size": 8,
    "qps_p99": 50,
    "read_write_ratio": 20,
    "tenancy": "shared-multi-tenant",
    "data_sensitivity": "pii",
    "pattern": "modular-monolith",
    "language_preference": "typescript",
}


def builtin(profile_id: str) -> dict[str, Any]:
    profile = next(p for p in builtin_profiles() if p.id == profile_id)
    return profile.model_dump(mode="json", exclude_none=True)


def problems_for(document: Any) -> list[tuple[str, str]]:
    _, problems = parse_profile(json.dumps(document), "p.json")
    return [(p.path, p.message) for p in problems]


def test_builtins_are_valid_and_described_as_the_issue_says() -> None:
    profiles = {p.id: p for p in builtin_profiles()}
    assert tuple(profiles) == BUILTIN_IDS
    floors = {pid: p.thresholds.p99_ms for pid, p in profiles.items()}
    assert floors == {
        "node-express": 600,
        "fastapi-python": 500,
        "django-monolith": 800,
        "go-or-rust-microservice": 200,
    }
    assert profiles["node-express"].constraints.team_size.max < 15
    assert profiles["fastapi-python"].constraints.team_size.max < 20
    assert profiles["django-monolith"].constraints.team_size.max < 25
    assert profiles["go-or-rust-microservice"].constraints.team_size.min == 30
    assert profiles["go-or-rust-microservice"].constraints.qps_p99.min == 1000
    for profile in profiles.values():
        assert profile.anti_patterns and profile.approvers and profile.stack.database.startswith("PostgreSQL")


def test_builtins_match_the_published_json_schema() -> None:
    schema = profile_json_schema()
    folder = Path(__file__).parents[2] / "src/stanchion/decide/profiles"
    for profile_id in BUILTIN_IDS:
        jsonschema.validate(json.loads((folder / f"{profile_id}.json").read_text()), schema)


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (
            lambda d: d["constraints"]["team_size"].update(max=-3),
            "$.constraints.team_size.max",
            "greater than 0",
        ),
        (lambda d: d["thresholds"].update(p99_ms="fast"), "$.thresholds.p99_ms", "valid integer"),
        (lambda d: d["approvers"][1].pop("role"), "$.approvers[1].role", "Field required"),
        (
            lambda d: d["constraints"]["tenancy"].append("everyone"),
            "$.constraints.tenancy[3]",
            "single-tenant",
        ),
        (lambda d: d["constraints"].update(teamsize=3), "$.constraints.teamsize", "Extra inputs"),
        (
            lambda d: d["constraints"]["qps_p99"].update(min=500, max=100),
            "$.constraints.qps_p99",
            "min (500) is greater than max (100)",
        ),
        (lambda d: d["thresholds"].update(p50_ms=900), "$.thresholds", "latency targets must grow"),
        (lambda d: d["thresholds"].update(rpo="a while"), "$.thresholds.rpo", "should match pattern"),
        (lambda d: d.update(anti_patterns=[]), "$.anti_patterns", "at least 1 item"),
        (lambda d: d.update(id="Node Express!"), "$.id", "should match pattern"),
        (
            lambda d: d["constraints"]["excluded_when"].append({"reason": "always"}),
            "$.constraints.excluded_when[1]",
            "needs at least one condition",
        ),
        (lambda d: d.update(schema_version=2), "$.schema_version", "Input should be 1"),
    ],
)
def test_invalid_profile_names_the_json_path(mutate: Any, path: str, fragment: str) -> None:
    document = copy.deepcopy(builtin("node-express"))
    mutate(document)
    found = problems_for(document)
    assert any(p == path and fragment in m for p, m in found), found


def test_not_json_and_not_an_object() -> None:
    assert problems_for([1, 2]) == [("$", "a profile is a JSON object, got list")]
    _, problems = parse_profile('{"id": "x",\n  oops}', "bad.json")
    assert (
        problems[0].path == "$"
        and "not valid JSON" in problems[0].message
        and "line 2" in problems[0].message
    )


def test_json_path_rendering() -> None:
    assert json_path(("approvers", 1, "role")) == "$.approvers[1].role"
    assert json_path(()) == "$"


def test_custom_copy_replaces_the_builtin_and_changes_the_decision(tmp_path: Path) -> None:
    document = builtin("node-express")
    document["thresholds"]["p99_ms"] = 450
    document["thresholds"]["p95_ms"] = 250
    document["approvers"].append({"role": "VP Engineering", "signs_off_on": "every new stack"})
    (tmp_path / "acme-node.json").write_text(json.dumps(document))
    catalog = load_catalog(tmp_path)
    assert not catalog.problems
    loaded = catalog.get("node-express")
    assert loaded.overrides_builtin and loaded.source.endswith("acme-node.json")
    decision = decide_from(EXAMPLE, tmp_path)
    assert decision.targets.slo_floor_p99_ms == 450
    assert decision.approval.approvers[-1].role == "VP Engineering"


def test_custom_new_profile_can_win(tmp_path: Path) -> None:
    document = builtin("go-or-rust-microservice")
    document.update(id="acme-kotlin", name="Kotlin modular monolith", choose_when="the team writes Kotlin")
    document["constraints"].update(
        languages=["kotlin"],
        other_languages=[],
        team_size={"min": 5, "max": 40},
        qps_p99={"min": 1, "max": 2000},
        patterns=["modular-monolith"],
        excluded_when=[],
    )
    (tmp_path / "kotlin.json").write_text(json.dumps(document))
    decision = decide_from({**EXAMPLE, "language_preference": "kotlin"}, tmp_path)
    assert decision.recommendation.id == "acme-kotlin"
    assert decision.recommendation.source == str(tmp_path / "kotlin.json")


def test_an_invalid_custom_profile_stops_the_engine_with_its_path(tmp_path: Path) -> None:
    document = builtin("django-monolith")
    document["thresholds"]["uptime_slo"] = 100
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ConfigError) as err:
        decide_from(EXAMPLE, tmp_path)
    assert err.value.message.startswith(f"invalid profile {tmp_path / 'bad.json'}: $.thresholds.uptime_slo: ")
    assert "profiles validate" in (err.value.hint or "")


def test_duplicate_ids_and_missing_folder(tmp_path: Path) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(builtin("fastapi-python")))
    catalog = load_catalog(tmp_path)
    assert [(p.path, p.file.endswith("b.json")) for p in catalog.problems] == [("$.id", True)]
    with pytest.raises(ConfigError, match="profiles folder not found"):
        load_catalog(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match=r"no \*\.json profiles"):
        load_catalog(empty)
