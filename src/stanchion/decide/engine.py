"""The decision engine: ranks the profiles for the stated inputs and assembles the recommendation.

It recommends; it never approves. The decision names the approvers who must sign off, the targets the
profile commits to (p50/p95/p99, uptime SLO, RPO, RTO), and criteria anyone can verify afterwards.
"""

from __future__ import annotations

from stanchion.decide import vocab
from stanchion.decide.catalog import Catalog, load_catalog
from stanchion.decide.inputs import DecisionInputs
from stanchion.decide.result import (
    AntiPatternOut,
    Approval,
    ApproverOut,
    Assumption,
    Criterion,
    Decision,
    ProfileScore,
    Recommendation,
    RunnerUp,
    Targets,
)
from stanchion.decide.schema import Approver, Profile
from stanchion.decide.scoring import WEIGHTS, rank
from stanchion.errors import CheckFailed

TRADE_OFF_WINDOW_PERCENT = 15.0
SECONDS_PER_30_DAYS = 30 * 86400
APPROVAL_STATEMENT = (
    "Stanchion recommends; it does not approve. Nothing is decided until every approver below signs off."
)


def decide(inputs: DecisionInputs, catalog: Catalog | None = None) -> Decision:
    """Rank the profiles in ``catalog`` (the built-ins by default) and build the decision for ``inputs``."""
    catalog = catalog or load_catalog()
    catalog.raise_for_problems()
    scores = rank(catalog.profiles, inputs)
    if not scores or scores[0].excluded is not None:
        raise CheckFailed(
            "no profile fits: every profile is excluded for these inputs",
            "add a custom profile for this case (see docs/decide.md, 'Writing a profile')",
        )
    best = scores[0]
    loaded = catalog.get(best.id)
    profile = loaded.profile
    runner_up = _runner_up(best, scores[1:], catalog)
    targets = _targets(profile, inputs)
    return Decision(
        inputs=inputs.to_json(),
        assumptions=_assumptions(inputs),
        recommendation=Recommendation(
            id=profile.id, name=profile.name, summary=profile.summary, score=best.score, source=loaded.source
        ),
        runner_up=runner_up,
        stack=profile.stack.model_dump(),
        anti_patterns=_anti_patterns(profile, inputs),
        approval=Approval(
            status="not-approved", statement=APPROVAL_STATEMENT, approvers=approvers_for(profile, inputs)
        ),
        targets=targets,
        success_criteria=_criteria(inputs, targets),
        scores=scores,
        notes=_notes(inputs, profile, targets),
    )


def _runner_up(best: ProfileScore, rest: list[ProfileScore], catalog: Catalog) -> RunnerUp | None:
    candidates = [s for s in rest if s.excluded is None]
    if not candidates:
        return None
    second = candidates[0]
    gap = round((best.score - second.score) / best.score * 100, 1) if best.score else 0.0
    within = gap <= TRADE_OFF_WINDOW_PERCENT
    trade_off = None
    if within:
        trade_off = _trade_off(best, second, catalog.get(second.id).profile)
    return RunnerUp(
        id=second.id,
        name=second.name,
        score=second.score,
        gap_percent=gap,
        within_15_percent=within,
        trade_off=trade_off,
    )


def _trade_off(best: ProfileScore, second: ProfileScore, second_profile: Profile) -> str:
    mine = {c.factor: c.points for c in best.contributions}
    theirs = {c.factor: c.points for c in second.contributions}
    ahead = [f for f in WEIGHTS if mine[f] > theirs[f]]
    behind = [f for f in WEIGHTS if theirs[f] > mine[f]]
    parts = [f"{second.id} scores {second.score:g} against {best.score:g} for {best.id}."]
    if ahead:
        parts.append(f"{best.id} fits better on {', '.join(ahead)}.")
    if behind:
        parts.append(f"{second.id} fits better on {', '.join(behind)}.")
    if not ahead and not behind:
        parts.append("They fit every stated input equally; the tie goes to the profile listed first.")
    parts.append(f"Choose {second.id} instead when {second_profile.choose_when}.")
    return " ".join(parts)


def _targets(profile: Profile, inputs: DecisionInputs) -> Targets:
    t = profile.thresholds
    slo = inputs.slo if inputs.slo is not None else t.uptime_slo
    budget = round((100 - slo) / 100 * SECONDS_PER_30_DAYS)
    rpo = inputs.rpo if inputs.rpo is not None else t.rpo_seconds
    rto = inputs.rto if inputs.rto is not None else t.rto_seconds
    return Targets(
        p50_ms=t.p50_ms,
        p95_ms=t.p95_ms,
        p99_ms=t.p99_ms,
        slo_floor_p99_ms=t.p99_ms,
        uptime_slo_percent=slo,
        uptime_source="stated" if inputs.slo is not None else "profile",
        error_budget_per_30_days=vocab.format_long_duration(budget),
        error_budget_seconds_per_30_days=budget,
        error_budget_consumer=inputs.error_budget_consumer,
        rpo=vocab.format_duration(rpo),
        rpo_seconds=rpo,
        rpo_source="stated" if inputs.rpo is not None else "profile",
        rto=vocab.format_duration(rto),
        rto_seconds=rto,
        rto_source="stated" if inputs.rto is not None else "profile",
        error_rate_percent=t.error_rate_percent,
    )


def _assumptions(inputs: DecisionInputs) -> list[Assumption]:
    load = f"{vocab.format_number(inputs.read_write_ratio)}:1 reads per write at {vocab.format_number(inputs.qps_p99)} QPS p99 (one year out)"
    slo_stated = inputs.slo is not None
    consumer = inputs.error_budget_consumer
    if slo_stated and consumer:
        slo = Assumption(
            name="slo", status="stated", value=f"{inputs.slo:g}%, budget spent by {consumer}", note=""
        )
    elif slo_stated or consumer:
        slo = Assumption(
            name="slo",
            status="partly-stated",
            value=f"{inputs.slo:g}%" if slo_stated else f"budget spent by {consumer}",
            note="state both the SLO (--slo) and who spends its error budget (--error-budget-consumer)",
        )
    else:
        slo = Assumption(
            name="slo",
            status="missing",
            value="the profile's default SLO",
            note="name the SLO and its error-budget consumer before locking the decision",
        )
    return [
        Assumption(name="load", status="stated", value=load, note=""),
        Assumption(name="tenancy", status="stated", value=inputs.tenancy, note=""),
        Assumption(name="data_sensitivity", status="stated", value=inputs.data_sensitivity, note=""),
        slo,
    ]


def _applies(approver: Approver, inputs: DecisionInputs) -> str | None:
    """Why the approver is in the chain, or None when their condition does not hold."""
    when = approver.when
    if when is None:
        return "every decision with this profile"
    if when.data_sensitivity is not None and inputs.data_sensitivity in when.data_sensitivity:
        return f"data sensitivity is {inputs.data_sensitivity}"
    if when.tenancy is not None and inputs.tenancy in when.tenancy:
        return f"tenancy is {inputs.tenancy}"
    if when.patterns is not None and inputs.pattern in when.patterns:
        return f"pattern is {inputs.pattern}"
    return None


def approvers_for(profile: Profile, inputs: DecisionInputs) -> list[ApproverOut]:
    """The named approver chain for these inputs, in the profile's order."""
    chain = []
    for approver in profile.approvers:
        reason = _applies(approver, inputs)
        if reason is not None:
            chain.append(ApproverOut(role=approver.role, signs_off_on=approver.signs_off_on, reason=reason))
    return chain


def _input_anti_patterns(inputs: DecisionInputs) -> list[AntiPatternOut]:
    found = []
    team = inputs.team_size
    if inputs.pattern in ("microservices", "domain-bounded-services") and team is not None and team < 30:
        found.append(
            AntiPatternOut(
                name="Microservices without the team to run them",
                why=f"{team} engineers cannot own, deploy and be on call for separate services; start with a "
                "modular monolith and extract a service when a boundary, its load and a team justify it "
                "(Fowler, MonolithFirst; Newman, Monolith to Microservices)",
                source="inputs",
            )
        )
    if inputs.communication == "event-driven" and team is not None and team < 15:
        found.append(
            AntiPatternOut(
                name="Event-driven before a second consuming team exists",
                why="a broker, event schemas and replay tooling cost more than they return until a second team "
                "consumes the events; use a job queue for async work first",
                source="inputs",
            )
        )
    if inputs.tenancy == "shared-multi-tenant" and inputs.data_sensitivity in ("pii", "phi", "pci"):
        found.append(
            AntiPatternOut(
                name="Tenant isolation by WHERE clause alone",
                why=f"one missed tenant filter leaks another tenant's {inputs.data_sensitivity} data; enforce "
                "row-level security in the database and test cross-tenant access in CI",
                source="inputs",
            )
        )
    if inputs.read_write_ratio >= 50:
        found.append(
            AntiPatternOut(
                name="Scaling the primary for a read-heavy load",
                why=f"at {vocab.format_number(inputs.read_write_ratio)}:1 reads dominate; cache and add read "
                "replicas before a bigger primary or sharding (Kleppmann, DDIA ch. 5)",
                source="inputs",
            )
        )
    elif inputs.read_write_ratio <= 1:
        found.append(
            AntiPatternOut(
                name="An index for every query on write-heavy tables",
                why="each index slows every write; at one read per write or fewer, index only what the hot "
                "queries need and batch writes",
                source="inputs",
            )
        )
    return found


def _anti_patterns(profile: Profile, inputs: DecisionInputs) -> list[AntiPatternOut]:
    listed = [AntiPatternOut(name=a.name, why=a.why, source="profile") for a in profile.anti_patterns]
    names = {a.name.lower() for a in listed}
    return listed + [a for a in _input_anti_patterns(inputs) if a.name.lower() not in names]


def _criteria(inputs: DecisionInputs, targets: Targets) -> list[Criterion]:
    rate = vocab.format_number(inputs.qps_p99 * 2)
    qps = vocab.format_number(inputs.qps_p99)
    consumer = targets.error_budget_consumer or "an error-budget consumer still to be named"
    criteria = [
        Criterion(
            id="latency",
            statement=f"p99 <= {targets.p99_ms} ms, p95 <= {targets.p95_ms} ms and p50 <= {targets.p50_ms} ms at "
            f"{rate} requests/s (twice the one-year p99 of {qps} QPS)",
            verify=f"a bounded load test at {rate} requests/s for 5 minutes against a production-like "
            "environment ('stanchion load'); compare its p50/p95/p99 with these targets",
        ),
        Criterion(
            id="availability",
            statement=f"availability >= {targets.uptime_slo_percent:g}% over a rolling 30 days: an error budget "
            f"of {targets.error_budget_per_30_days} per 30 days, spent by {consumer}",
            verify="SLI = good requests / all requests at the load balancer; multiwindow burn-rate alerts "
            "(Google SRE workbook, 'Alerting on SLOs')",
        ),
        Criterion(
            id="error_rate",
            statement=f"server errors (5xx) stay at or below {targets.error_rate_percent:g}% of requests in any hour",
            verify="the 5xx ratio from the same request metrics, alerted on when it crosses the threshold",
        ),
        Criterion(
            id="rpo",
            statement=f"a restore loses at most {targets.rpo} of committed writes",
            verify="a quarterly restore drill: point-in-time restore to a chosen timestamp and measure the "
            "gap to the last write kept",
        ),
        Criterion(
            id="rto",
            statement=f"service is back within {targets.rto} of a declared outage",
            verify="a game day: time from declaring the loss of the primary database to serving traffic again",
        ),
    ]
    if inputs.tenancy != "single-tenant":
        criteria.append(
            Criterion(
                id="tenant_isolation",
                statement="no request authenticated as one tenant can read or change another tenant's rows",
                verify="an automated cross-tenant access test for every endpoint, run in CI",
            )
        )
    return criteria


def _notes(inputs: DecisionInputs, profile: Profile, targets: Targets) -> list[str]:
    notes = []
    t = profile.thresholds
    if inputs.slo is not None and inputs.slo < t.uptime_slo:
        notes.append(f"the stated SLO {inputs.slo:g}% is looser than the profile's usual {t.uptime_slo:g}%")
    if inputs.rpo is not None and inputs.rpo < 60:
        notes.append("an RPO under a minute needs synchronous replication: budget write latency for it")
    if inputs.team_size is None:
        notes.append("team size not stated: the team-size justification for the pattern is still open")
    if targets.uptime_source == "profile":
        notes.append(f"uptime SLO {t.uptime_slo:g}% is the profile's default, not a stated target")
    return notes
