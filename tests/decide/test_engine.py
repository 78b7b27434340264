"""The engine picks what a senior engineer would, explains every point, and refuses without the assumptions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanchion.decide import build_inputs, decide, decide_from, decide_from_argv, vocab
from stanchion.decide.inputs import REQUIRED, inputs_from_argv
from stanchion.decide.scoring import WEIGHTS
from stanchion.errors import UsageError

ISSUE_EXAMPLE: dict[str, Any] = {
    "team_size": 8,
    "qps_p99": 50,
    "read_write_ratio": 20,
    "tenancy": "shared-multi-tenant",
    "data_sensitivity": "pii",
    "pattern": "modular-monolith",
    "language_preference": "typescript",
}

# (case, inputs, the profile a senior engineer would pick)
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("the issue's example: TypeScript SaaS team of 8", ISSUE_EXAMPLE, "node-express"),
    (
        "TypeScript startup of 4 on a single-tenant product",
        dict(
            team_size=4,
            qps_p99=10,
            read_write_ratio=10,
            tenancy="single-tenant",
            data_sensitivity="public",
            pattern="monolith",
            language_preference="typescript",
            workload="saas",
        ),
        "node-express",
    ),
    (
        "TypeScript team of 12, isolated tenants, events between modules",
        dict(
            team_size=12,
            qps_p99=300,
            read_write_ratio=5,
            tenancy="isolated-multi-tenant",
            data_sensitivity="pii",
            pattern="modular-monolith",
            language_preference="typescript",
            communication="async",
            workload="saas",
        ),
        "node-express",
    ),
    (
        "B2B SaaS with no language preference",
        dict(
            team_size=10,
            qps_p99=100,
            read_write_ratio=30,
            tenancy="shared-multi-tenant",
            data_sensitivity="pii",
            pattern="modular-monolith",
            workload="saas",
        ),
        "node-express",
    ),
    (
        "Python team of 6 next to an ML team, async inference calls",
        dict(
            team_size=6,
            qps_p99=30,
            read_write_ratio=5,
            tenancy="single-tenant",
            data_sensitivity="internal",
            pattern="modular-monolith",
            language_preference="python",
            communication="async",
            workload="ml",
        ),
        "fastapi-python",
    ),
    (
        "Python team of 18, shared tenants, event-driven pipeline",
        dict(
            team_size=18,
            qps_p99=400,
            read_write_ratio=3,
            tenancy="shared-multi-tenant",
            data_sensitivity="pii",
            pattern="modular-monolith",
            language_preference="python",
            communication="event-driven",
            workload="ml",
        ),
        "fastapi-python",
    ),
    (
        "health-data service in Python (PHI rules Django's tiers out)",
        dict(
            team_size=9,
            qps_p99=60,
            read_write_ratio=8,
            tenancy="isolated-multi-tenant",
            data_sensitivity="phi",
            pattern="modular-monolith",
            language_preference="python",
            communication="async",
        ),
        "fastapi-python",
    ),
    (
        "Python team of 5 asking for microservices: too small to extract anything",
        dict(
            team_size=5,
            qps_p99=20,
            read_write_ratio=10,
            tenancy="single-tenant",
            data_sensitivity="internal",
            pattern="microservices",
            language_preference="python",
            workload="ml",
        ),
        "fastapi-python",
    ),
    (
        "content site with editors, Python team of 12",
        dict(
            team_size=12,
            qps_p99=80,
            read_write_ratio=50,
            tenancy="single-tenant",
            data_sensitivity="public",
            pattern="monolith",
            language_preference="python",
            workload="content",
        ),
        "django-monolith",
    ),
    (
        "read-heavy back office, Python team of 20",
        dict(
            team_size=20,
            qps_p99=150,
            read_write_ratio=100,
            tenancy="single-tenant",
            data_sensitivity="internal",
            pattern="monolith",
            language_preference="python",
            communication="sync",
            workload="content",
        ),
        "django-monolith",
    ),
    (
        "publishing platform of 22 engineers, 200:1 reads",
        dict(
            team_size=22,
            qps_p99=250,
            read_write_ratio=200,
            tenancy="single-tenant",
            data_sensitivity="public",
            pattern="monolith",
            language_preference="python",
            workload="content",
        ),
        "django-monolith",
    ),
    (
        "content CRUD with no language preference",
        dict(
            team_size=8,
            qps_p99=20,
            read_write_ratio=50,
            tenancy="single-tenant",
            data_sensitivity="public",
            pattern="monolith",
            workload="content",
        ),
        "django-monolith",
    ),
    (
        "payments platform: Go, 40 engineers, 5000 QPS, PCI",
        dict(
            team_size=40,
            qps_p99=5000,
            read_write_ratio=10,
            tenancy="shared-multi-tenant",
            data_sensitivity="pci",
            pattern="microservices",
            language_preference="go",
            workload="platform",
        ),
        "go-or-rust-microservice",
    ),
    (
        "Rust ingestion service at 20000 QPS, PHI",
        dict(
            team_size=30,
            qps_p99=20000,
            read_write_ratio=0.5,
            tenancy="isolated-multi-tenant",
            data_sensitivity="phi",
            pattern="microservices",
            language_preference="rust",
            communication="event-driven",
            workload="platform",
        ),
        "go-or-rust-microservice",
    ),
    (
        "Java organisation of 50 with a 3000 QPS hot path",
        dict(
            team_size=50,
            qps_p99=3000,
            read_write_ratio=20,
            tenancy="shared-multi-tenant",
            data_sensitivity="pii",
            pattern="microservices",
            language_preference="java",
        ),
        "go-or-rust-microservice",
    ),
    (
        "35 TypeScript engineers at 2000 QPS who would rather keep the monolith",
        dict(
            team_size=35,
            qps_p99=2000,
            read_write_ratio=20,
            tenancy="shared-multi-tenant",
            data_sensitivity="pii",
            pattern="modular-monolith",
            language_preference="typescript",
            workload="saas",
        ),
        "go-or-rust-microservice",
    ),
    (
        "Go team of 15 carving domain-bounded services at 1500 QPS",
        dict(
            team_size=15,
            qps_p99=1500,
            read_write_ratio=1,
            tenancy="single-tenant",
            data_sensitivity="internal",
            pattern="domain-bounded-services",
            language_preference="go",
            workload="platform",
        ),
        "go-or-rust-microservice",
    ),
]


@pytest.mark.parametrize(("inputs", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_senior_engineer_pick(inputs: dict[str, Any], expected: str) -> None:
    decision = decide_from(inputs)
    assert decision.recommendation.id == expected, [(s.id, s.score, s.excluded) for s in decision.scores]
    assert decision.scores[0].id == expected


def test_issue_example_output_has_every_part() -> None:
    decision = decide_from({**ISSUE_EXAMPLE, "rpo": "15m", "rto": "1h", "slo": "99.9"})
    assert decision.recommendation.score == 100.0
    assert decision.runner_up is not None and decision.runner_up.id in {"fastapi-python", "django-monolith"}
    # 78.3 is 21.7% below 100: outside the 15% window, so no trade-off is stated
    assert decision.runner_up.gap_percent == pytest.approx(21.7)
    assert not decision.runner_up.within_15_percent and decision.runner_up.trade_off is None
    assert decision.stack["database"].startswith("PostgreSQL")
    assert {a.name for a in decision.anti_patterns} >= {"Tenant isolation by WHERE clause alone"}
    roles = [a.role for a in decision.approval.approvers]
    assert roles[:3] == ["Tech lead", "On-call lead (SRE)", "DBA or database owner"]
    assert "Privacy officer (DPO)" in roles and "Security engineer" in roles
    assert decision.approval.status == "not-approved"
    t = decision.targets
    assert (t.p50_ms, t.p95_ms, t.p99_ms, t.slo_floor_p99_ms) == (100, 300, 600, 600)
    assert (t.uptime_slo_percent, t.rpo, t.rto, t.rpo_source) == (99.9, "15m", "1h", "stated")
    assert t.error_budget_per_30_days == "43m 12s"
    ids = [c.id for c in decision.success_criteria]
    assert ids == ["latency", "availability", "error_rate", "rpo", "rto", "tenant_isolation"]
    assert "100 requests/s" in decision.success_criteria[0].statement  # twice the one-year p99


def test_runner_up_within_15_percent_states_the_trade_off() -> None:
    decision = decide_from(CASES[8][1])  # content site: django wins, fastapi close behind
    ru = decision.runner_up
    assert ru is not None and ru.id == "fastapi-python"
    assert ru.within_15_percent and ru.gap_percent == pytest.approx(11.5)
    assert ru.trade_off is not None
    assert "django-monolith fits better on workload" in ru.trade_off
    assert "Choose fastapi-python instead when" in ru.trade_off


def test_every_input_explains_its_effect_on_every_profile() -> None:
    decision = decide_from(ISSUE_EXAMPLE)
    for score in decision.scores:
        factors = [c.factor for c in score.contributions]
        assert factors == list(WEIGHTS)
        assert score.points == pytest.approx(sum(c.points for c in score.contributions))
        for c in score.contributions:
            assert 0 <= c.points <= c.max_points and c.reason
            if c.value is None:
                assert c.max_points == 0 and c.reason == "not stated: no effect"
    by_id = {s.id: s for s in decision.scores}
    team = next(c for c in by_id["go-or-rust-microservice"].contributions if c.factor == "team_size")
    assert team.points == 0 and "below the profile's range (30-5000 engineers)" in team.reason
    assert by_id["go-or-rust-microservice"].excluded is not None


def test_range_decay_is_gradual_and_documented() -> None:
    near = decide_from({**ISSUE_EXAMPLE, "team_size": 16})  # node-express fits up to 14
    far = decide_from({**ISSUE_EXAMPLE, "team_size": 28})  # twice the bound: no team points
    team = {
        label: next(
            c.points
            for s in d.scores
            if s.id == "node-express"
            for c in s.contributions
            if c.factor == "team_size"
        )
        for label, d in (("near", near), ("far", far))
    }
    assert team["near"] == pytest.approx(16.1)  # 20 * (1 - log2(16 / 14))
    assert team["far"] == 0


def test_missing_inputs_are_all_named() -> None:
    with pytest.raises(UsageError) as err:
        decide_from({"team_size": 8, "tenancy": "single-tenant"})
    assert err.value.message == (
        "missing required inputs: --read-write-ratio, --qps-p99, --data-sensitivity, --pattern"
    )
    assert err.value.exit_code == 2


def test_bad_values_name_the_flag_and_the_choices() -> None:
    with pytest.raises(UsageError) as err:
        decide_from({**ISSUE_EXAMPLE, "tenancy": "everyone-together"})
    assert "--tenancy" in err.value.message and "shared-multi-tenant" in (err.value.hint or "")
    with pytest.raises(UsageError, match="--qps-p99: must be greater than 0"):
        decide_from({**ISSUE_EXAMPLE, "qps_p99": "-3"})
    with pytest.raises(UsageError, match="--slo: availability must be at least 90 and below 100"):
        decide_from({**ISSUE_EXAMPLE, "slo": "100"})


def test_seed_compatible_command_line() -> None:
    argv = [
        "--team-size", "8", "--qps-p99", "50", "--read-write-ratio", "20", "--tenancy", "shared-multi-tenant",
        "--data-sensitivity", "pii", "--pattern", "modular-monolith", "--language-preference", "typescript",
    ]  # fmt: skip
    decision = decide_from_argv(argv)
    assert decision.recommendation.id == "node-express"
    assert decision.to_json() == decide_from(ISSUE_EXAMPLE).to_json()
    assert inputs_from_argv(["--rpo=15m", *argv]).rpo == 900
    with pytest.raises(UsageError, match="unknown flag '--teamsize'"):
        inputs_from_argv(["--teamsize", "8"])
    with pytest.raises(UsageError, match="--pattern needs a value"):
        inputs_from_argv(["--pattern"])


def test_parsers() -> None:
    assert vocab.ratio("r", "95/5") == 19.0
    assert vocab.ratio("r", "20:1") == vocab.ratio("r", 20) == 20.0
    assert (
        vocab.duration("d", "15m") == 900
        and vocab.duration("d", "1h") == 3600
        and vocab.duration("d", "0") == 0
    )
    assert vocab.format_duration(5400) == "90m" and vocab.format_duration(86400) == "1d"
    assert vocab.percent("s", "99.95%") == 99.95
    with pytest.raises(UsageError, match="unknown input: colour"):
        build_inputs(**ISSUE_EXAMPLE, colour="blue")


# -- properties ------------------------------------------------------------------------------------------

optional_words = {
    "language_preference": st.none() | st.sampled_from(vocab.LANGUAGES),
    "communication": st.none() | st.sampled_from(vocab.COMMUNICATIONS),
    "workload": st.none() | st.sampled_from(vocab.WORKLOADS),
}
base_inputs = st.fixed_dictionaries(
    {
        "read_write_ratio": st.floats(min_value=0.01, max_value=10_000),
        "tenancy": st.sampled_from(vocab.TENANCIES),
        "data_sensitivity": st.sampled_from(vocab.SENSITIVITIES),
        "pattern": st.sampled_from(vocab.PATTERNS),
        **optional_words,
    }
)


@settings(max_examples=150, deadline=None)
@given(
    base=base_inputs,
    team=st.integers(min_value=30, max_value=20_000),
    qps=st.floats(min_value=1000, max_value=1e7),
)
def test_big_team_and_high_qps_always_pick_the_microservice(
    base: dict[str, Any], team: int, qps: float
) -> None:
    decision = decide_from({**base, "team_size": team, "qps_p99": qps})
    assert decision.recommendation.id == "go-or-rust-microservice"


@settings(max_examples=150, deadline=None)
@given(
    base=base_inputs,
    team=st.none() | st.integers(min_value=1, max_value=20_000),
    qps=st.floats(min_value=0.01, max_value=1e7),
    drop=st.sets(st.sampled_from(REQUIRED), min_size=1),
)
def test_without_a_required_input_the_engine_refuses(
    base: dict[str, Any], team: int | None, qps: float, drop: set[str]
) -> None:
    values = {**base, "team_size": team, "qps_p99": qps}
    for name in drop:
        values.pop(name)
    with pytest.raises(UsageError) as err:
        decide_from(values)
    named = err.value.message.split(": ", 1)[1].split(", ")
    assert sorted(named) == sorted("--" + n.replace("_", "-") for n in drop)


@settings(max_examples=100, deadline=None)
@given(base=base_inputs, team=st.none() | st.integers(1, 20_000), qps=st.floats(0.01, 1e7))
def test_scoring_is_deterministic_bounded_and_never_approves(
    base: dict[str, Any], team: int | None, qps: float
) -> None:
    inputs = build_inputs(**base, team_size=team, qps_p99=qps)
    first, second = decide(inputs), decide(inputs)
    assert first.to_json() == second.to_json()
    assert all(0 <= s.score <= 100 for s in first.scores)
    assert [s.score for s in first.scores if not s.excluded] == sorted(
        (s.score for s in first.scores if not s.excluded), reverse=True
    )
    assert first.approval.status == "not-approved" and first.approval.approvers
    assert first.targets.p50_ms <= first.targets.p95_ms <= first.targets.p99_ms
