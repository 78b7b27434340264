"""The profile schema: what a built-in or custom profile JSON file must hold (Pydantic v2 models).

Unknown keys are rejected (a typo is an error, not a silently ignored constraint), and every error is
reported with the JSON path of the problem by :mod:`stanchion.decide.catalog`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from stanchion.decide import vocab
from stanchion.decide.vocab import Communication, Language, Pattern, Sensitivity, Tenancy, Workload

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
DurationText = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?(s|m|h|d)$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """An inclusive range the profile fits best in; outside it the score decays (docs/decide.md)."""

    min: float = Field(ge=0)
    max: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self


class Exclusion(_Strict):
    """Inputs under which the profile is ruled out, whatever else scores; every stated condition must hold."""

    team_size_at_least: int | None = Field(default=None, ge=1)
    team_size_below: int | None = Field(default=None, ge=1)
    qps_p99_at_least: float | None = Field(default=None, gt=0)
    qps_p99_below: float | None = Field(default=None, gt=0)
    patterns: list[Pattern] | None = Field(default=None, min_length=1)
    reason: Text

    @model_validator(mode="after")
    def _has_condition(self) -> Self:
        conditions = (
            self.team_size_at_least,
            self.team_size_below,
            self.qps_p99_at_least,
            self.qps_p99_below,
            self.patterns,
        )
        if all(value is None for value in conditions):
            raise ValueError("an exclusion needs at least one condition besides 'reason'")
        return self


class Constraints(_Strict):
    """Where the profile fits: each field is one scoring factor (see docs/decide.md)."""

    languages: list[Language] = Field(min_length=1)
    other_languages: list[Language] = Field(default_factory=list)
    team_size: Range
    qps_p99: Range
    read_write_ratio: Range
    tenancy: list[Tenancy] = Field(min_length=1)
    data_sensitivity: list[Sensitivity] = Field(min_length=1)
    patterns: list[Pattern] = Field(min_length=1)
    communication: list[Communication] = Field(min_length=1)
    workloads: list[Workload] = Field(min_length=1)
    excluded_when: list[Exclusion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _languages_disjoint(self) -> Self:
        both = sorted(set(self.languages) & set(self.other_languages))
        if both:
            raise ValueError(f"{', '.join(both)} listed in both languages and other_languages")
        return self


class Thresholds(_Strict):
    """The success thresholds a recommendation states: latency targets, uptime SLO, RPO and RTO."""

    p50_ms: int = Field(gt=0)
    p95_ms: int = Field(gt=0)
    p99_ms: int = Field(gt=0, description="the SLO floor: p99 latency the profile commits to")
    uptime_slo: float = Field(ge=90, lt=100)
    rpo: DurationText
    rto: DurationText
    error_rate_percent: float = Field(gt=0, le=5)

    @model_validator(mode="after")
    def _percentiles_ordered(self) -> Self:
        if not self.p50_ms <= self.p95_ms <= self.p99_ms:
            raise ValueError(
                f"latency targets must grow: p50_ms {self.p50_ms} <= p95_ms {self.p95_ms} <= p99_ms {self.p99_ms}"
            )
        return self

    @property
    def rpo_seconds(self) -> int:
        return vocab.duration("rpo", self.rpo)

    @property
    def rto_seconds(self) -> int:
        return vocab.duration("rto", self.rto)


class Stack(_Strict):
    """Stack picks: the required core plus any further named picks."""

    language: Text
    framework: Text
    database: Text
    data_access: Text
    migrations: Text
    testing: Text
    observability: Text
    deploy: Text


class AntiPattern(_Strict):
    name: Text
    why: Text


class ApproverCondition(_Strict):
    """The approver is needed only when the inputs match (any listed value)."""

    data_sensitivity: list[Sensitivity] | None = Field(default=None, min_length=1)
    tenancy: list[Tenancy] | None = Field(default=None, min_length=1)
    patterns: list[Pattern] | None = Field(default=None, min_length=1)


class Approver(_Strict):
    role: Text
    signs_off_on: Text
    when: ApproverCondition | None = None


class Profile(_Strict):
    """One backend profile."""

    schema_version: Literal[1]
    id: Slug
    name: Text
    summary: Text
    choose_when: Text = Field(
        description="the trade-off in one sentence: when this profile is the right call"
    )
    constraints: Constraints
    thresholds: Thresholds
    stack: Stack
    anti_patterns: list[AntiPattern] = Field(min_length=1)
    approvers: list[Approver] = Field(min_length=1)

    @field_validator("approvers")
    @classmethod
    def _unconditional_approver(cls, approvers: list[Approver]) -> list[Approver]:
        if all(approver.when is not None for approver in approvers):
            raise ValueError("at least one approver must sign off on every decision (no 'when')")
        return approvers


def profile_json_schema() -> dict[str, object]:
    """The JSON Schema of a profile file (``stanchion decide schema profile``)."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
