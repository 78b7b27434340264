"""The decision the engine returns: one typed document, the same one ``--json`` prints.

Its JSON Schema (``Decision.model_json_schema()``, printed by ``stanchion decide schema decision``) is the
documented contract for agents; docs/decide.md describes each key.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contribution(_Out):
    """How one input moved one profile's score."""

    factor: str = Field(description="the input's name (seed-compatible: team_size, qps_p99, ...)")
    value: str | None = Field(description="the stated value, or null when not stated")
    points: float
    max_points: float = Field(description="the factor's weight; 0 when the input was not stated")
    reason: str


class ProfileScore(_Out):
    id: str
    name: str
    source: str = Field(description="'built-in' or the custom profile's file")
    score: float = Field(ge=0, le=100, description="points / max_points * 100, one decimal")
    points: float
    max_points: float
    excluded: str | None = Field(description="why the profile is ruled out, or null")
    contributions: list[Contribution]


class Assumption(_Out):
    """One of the four assumptions that must be on the table before a decision is locked."""

    name: Literal["load", "tenancy", "data_sensitivity", "slo"]
    status: Literal["stated", "partly-stated", "missing"]
    value: str
    note: str


class Recommendation(_Out):
    id: str
    name: str
    summary: str
    score: float
    source: str


class RunnerUp(_Out):
    id: str
    name: str
    score: float
    gap_percent: float = Field(description="(best - runner-up) / best * 100")
    within_15_percent: bool
    trade_off: str | None = Field(description="present when the runner-up is within 15% of the best")


class Targets(_Out):
    """What the recommendation commits to; 'source' says whether a value was stated or is the profile's."""

    p50_ms: int
    p95_ms: int
    p99_ms: int
    slo_floor_p99_ms: int = Field(description="the profile's p99 floor: the SLO may not promise less")
    uptime_slo_percent: float
    uptime_source: Literal["stated", "profile"]
    error_budget_per_30_days: str
    error_budget_seconds_per_30_days: int
    error_budget_consumer: str | None
    rpo: str
    rpo_seconds: int
    rpo_source: Literal["stated", "profile"]
    rto: str
    rto_seconds: int
    rto_source: Literal["stated", "profile"]
    error_rate_percent: float


class AntiPatternOut(_Out):
    name: str
    why: str
    source: Literal["profile", "inputs"]


class ApproverOut(_Out):
    role: str
    signs_off_on: str
    reason: str = Field(description="why this approver is in the chain for these inputs")


class Approval(_Out):
    status: Literal["not-approved"] = Field(description="always 'not-approved': Stanchion never approves")
    statement: str
    approvers: list[ApproverOut]


class Criterion(_Out):
    id: str
    statement: str
    verify: str


class Decision(_Out):
    """The engine's answer for one set of inputs."""

    schema_version: Literal[1] = 1
    inputs: dict[str, Any]
    assumptions: list[Assumption]
    recommendation: Recommendation
    runner_up: RunnerUp | None
    stack: dict[str, str]
    anti_patterns: list[AntiPatternOut]
    approval: Approval
    targets: Targets
    success_criteria: list[Criterion]
    scores: list[ProfileScore] = Field(description="every profile, best first, with each input's effect")
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def decision_json_schema() -> dict[str, Any]:
    schema = Decision.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
