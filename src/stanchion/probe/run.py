"""Run the probe's rules against a running API, within a budget.

    result = probe("http://127.0.0.1:8000", spec="openapi.yaml", token=a, token_b=b)

Rules live one per module under ``stanchion.probe.rules`` (see ``base.py``). Every request goes through
one :class:`~stanchion.probe.client.ProbeClient`, which sends only to the base URL's origin and holds the
budget (a request count and a wall time). The score starts at 100 and each finding takes its severity's
points (high 25, medium 10, low 5), floored at 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from stanchion.db.analyze.registry import rule_modules
from stanchion.errors import EnvironmentProblem, UsageError
from stanchion.probe.base import PENALTY, SEVERITIES, ProbeContext, ProbeFinding, ProbeRule, rank
from stanchion.probe.client import Budget, BudgetExhausted, ProbeClient

__all__ = ["Budget", "ProbeFinding", "ProbeResult", "all_rules", "probe"]


@cache
def _rules() -> tuple[ProbeRule, ...]:
    return tuple(cast(list[ProbeRule], rule_modules("stanchion.probe.rules")))


def all_rules() -> list[ProbeRule]:
    return list(_rules())


@dataclass
class ProbeResult:
    base_url: str
    budget: Budget
    findings: list[ProbeFinding] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # rules the budget stopped
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def score(self) -> int:
        return max(0, 100 - sum(PENALTY[f.severity] for f in self.findings))

    def failing(self, fail_on: str) -> bool:
        return any(rank(f.severity) >= rank(fail_on) for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in reversed(SEVERITIES)}
        return {
            "base_url": self.base_url,
            "score": self.score,
            "counts": counts,
            "findings": [f.to_json() for f in self.findings],
            "rules": self.rules,
            "incomplete": self.incomplete,
            "notes": self.notes,
            "budget": {"requests": self.budget.requests, "seconds": self.budget.seconds},
            "used": {"requests": self.requests, "seconds": round(self.seconds, 2)},
        }


def probe(
    base_url: str,
    *,
    spec: str | None = None,
    token: str | None = None,
    token_b: str | None = None,
    budget: Budget | None = None,
    only: list[str] | None = None,
) -> ProbeResult:
    """Run every rule (or those in ``only``) against ``base_url``."""
    budget = budget or Budget()
    client = ProbeClient(base_url, budget)
    first = client.request("GET", "/")
    if first.status == 0:
        raise EnvironmentProblem(
            f"{client.origin}: no answer ({first.text})", "start the API, or check the base URL and port"
        )
    ctx = ProbeContext(client, token=token, token_b=token_b)
    if spec:
        from stanchion.probe.spec import load_operations

        ctx.operations = load_operations(spec, client)
    rules = all_rules()
    if only:
        unknown = sorted(set(only) - {r.RULE.id for r in rules})
        if unknown:
            raise UsageError(f"unknown probe rule: {', '.join(unknown)}", "see `stanchion probe --help`")
        rules = [r for r in rules if r.RULE.id in only]
    result = ProbeResult(client.origin + client.prefix, budget)
    for rule in rules:
        result.rules.append(rule.RULE.id)
        try:
            for finding in rule.check(ctx):
                result.findings.append(finding)
        except BudgetExhausted:
            result.incomplete.append(rule.RULE.id)
    result.findings.sort(key=lambda f: (-rank(f.severity), f.id, f.endpoint))
    result.notes = ctx.notes
    result.requests = client.sent
    result.seconds = client.elapsed
    return result
