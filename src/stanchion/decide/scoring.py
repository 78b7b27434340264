"""Deterministic, explained scoring: each stated input moves each profile's score by a documented rule.

Weights (points a factor is worth when the input is stated; an input not stated is worth 0 of 0)::

    language_preference 25   team_size 20   qps_p99 20   pattern 20   workload 15
    read_write_ratio 10      tenancy 10     data_sensitivity 10        communication 5

Rules, the same for every profile (docs/decide.md, "How scoring works"):

* a list factor (tenancy, data sensitivity, communication, workload) scores full marks when the profile
  lists the value, else 0; language scores full for a primary language, 60% for an ``other_languages`` one;
  pattern scores full when listed, half when a listed pattern is one step away (monolith, modular monolith,
  domain-bounded services, microservices), else 0;
* a range factor scores full marks inside the profile's range and decays outside it with the distance in
  orders of magnitude: team size loses all points at twice (or half) the bound, QPS and read/write ratio at
  ten times (or a tenth of) the bound;
* an exclusion (``constraints.excluded_when``) rules the profile out: score 0, with its reason.

The score is points / max points * 100, rounded to one decimal; ties go to the profile listed first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from stanchion.decide import vocab
from stanchion.decide.catalog import LoadedProfile
from stanchion.decide.inputs import DecisionInputs
from stanchion.decide.result import Contribution, ProfileScore
from stanchion.decide.schema import Exclusion, Profile, Range

WEIGHTS: dict[str, float] = {
    "language_preference": 25,
    "team_size": 20,
    "qps_p99": 20,
    "pattern": 20,
    "workload": 15,
    "read_write_ratio": 10,
    "tenancy": 10,
    "data_sensitivity": 10,
    "communication": 5,
}
SECONDARY_LANGUAGE_SHARE = 0.6
NEIGHBOUR_PATTERN_SHARE = 0.5
#: the log base per range factor: how fast the score decays outside the range.
DECAY_BASE: dict[str, float] = {"team_size": 2.0, "qps_p99": 10.0, "read_write_ratio": 10.0}
_UNITS = {"team_size": "engineers", "qps_p99": "QPS", "read_write_ratio": "reads per write"}


def _shown(factor: str, value: object) -> str:
    if factor == "read_write_ratio" and isinstance(value, float):
        return f"{vocab.format_number(value)}:1"
    if isinstance(value, float):
        return vocab.format_number(value)
    return str(value)


def _range_points(factor: str, value: float, bounds: Range) -> tuple[float, str]:
    weight = WEIGHTS[factor]
    unit = _UNITS[factor]
    span = f"{vocab.format_number(bounds.min)}-{vocab.format_number(bounds.max)} {unit}"
    if bounds.min <= value <= bounds.max:
        return weight, f"{_shown(factor, value)} is inside the profile's range ({span})"
    bound = bounds.min if value < bounds.min else bounds.max
    distance = abs(math.log(value / bound, DECAY_BASE[factor]))
    points = round(weight * max(0.0, 1.0 - distance), 1)
    side = "below" if value < bounds.min else "above"
    return points, f"{_shown(factor, value)} is {side} the profile's range ({span})"


def _list_points(factor: str, value: str, listed: Sequence[str], what: str) -> tuple[float, str]:
    if value in listed:
        return WEIGHTS[factor], f"the profile supports {what} {value}"
    return 0.0, f"the profile does not support {what} {value} (it supports {', '.join(listed)})"


def _factor(profile: Profile, factor: str, value: object) -> tuple[float, str]:
    c = profile.constraints
    if factor == "language_preference":
        if value in c.languages:
            return WEIGHTS[factor], f"{value} is a primary language of the profile"
        if value in c.other_languages:
            return (
                round(WEIGHTS[factor] * SECONDARY_LANGUAGE_SHARE, 1),
                f"{value} fits the profile as a second choice (primary: {', '.join(c.languages)})",
            )
        return 0.0, f"the profile is built for {', '.join(c.languages)}, not {value}"
    if factor == "pattern":
        if value in c.patterns:
            return WEIGHTS[factor], f"the profile is a {value}"
        near = sorted(vocab.PATTERN_NEIGHBOURS[str(value)] & set(c.patterns))
        if near:
            return (
                round(WEIGHTS[factor] * NEIGHBOUR_PATTERN_SHARE, 1),
                f"{value} is one step from the profile's {near[0]}",
            )
        return 0.0, f"{value} is far from the profile's {', '.join(c.patterns)}"
    if factor in ("team_size", "qps_p99", "read_write_ratio"):
        bounds: Range = getattr(c, factor)
        return _range_points(factor, float(value), bounds)  # type: ignore[arg-type]
    table: dict[str, tuple[Sequence[str], str]] = {
        "tenancy": (c.tenancy, "tenancy"),
        "data_sensitivity": (c.data_sensitivity, "data sensitivity tier"),
        "communication": (c.communication, "request style"),
        "workload": (c.workloads, "workload"),
    }
    listed, what = table[factor]
    return _list_points(factor, str(value), listed, what)


def exclusion_reason(profile: Profile, inputs: DecisionInputs) -> str | None:
    """The first exclusion whose every condition holds for ``inputs``; None when none does."""
    for rule in profile.constraints.excluded_when:
        if _matches(rule, inputs):
            return rule.reason
    return None


def _matches(rule: Exclusion, inputs: DecisionInputs) -> bool:
    team = inputs.team_size
    checks: list[bool] = []
    if rule.team_size_at_least is not None:
        checks.append(team is not None and team >= rule.team_size_at_least)
    if rule.team_size_below is not None:
        checks.append(team is not None and team < rule.team_size_below)
    if rule.qps_p99_at_least is not None:
        checks.append(inputs.qps_p99 >= rule.qps_p99_at_least)
    if rule.qps_p99_below is not None:
        checks.append(inputs.qps_p99 < rule.qps_p99_below)
    if rule.patterns is not None:
        checks.append(inputs.pattern in rule.patterns)
    return all(checks)


def score_profile(loaded: LoadedProfile, inputs: DecisionInputs) -> ProfileScore:
    """One profile's score with each input's contribution."""
    profile = loaded.profile
    contributions = []
    for factor, weight in WEIGHTS.items():
        value = getattr(inputs, factor)
        if value is None:
            contributions.append(
                Contribution(
                    factor=factor, value=None, points=0, max_points=0, reason="not stated: no effect"
                )
            )
            continue
        points, reason = _factor(profile, factor, value)
        contributions.append(
            Contribution(
                factor=factor, value=_shown(factor, value), points=points, max_points=weight, reason=reason
            )
        )
    points = round(sum(c.points for c in contributions), 1)
    maximum = sum(c.max_points for c in contributions)
    excluded = exclusion_reason(profile, inputs)
    score = 0.0 if excluded else round(100 * points / maximum, 1)
    return ProfileScore(
        id=profile.id,
        name=profile.name,
        source=loaded.source,
        score=score,
        points=points,
        max_points=maximum,
        excluded=excluded,
        contributions=contributions,
    )


def rank(profiles: Sequence[LoadedProfile], inputs: DecisionInputs) -> list[ProfileScore]:
    """Every profile scored, best first; ties keep catalog order (Python's sort is stable)."""
    scored = [score_profile(loaded, inputs) for loaded in profiles]
    return sorted(scored, key=lambda s: (s.excluded is not None, -s.score))
