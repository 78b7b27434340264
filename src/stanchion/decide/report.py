"""Human forms of a decision: plain text for the terminal and markdown for the grill's saved file.

Both are built from the same :class:`~stanchion.decide.result.Decision`; nothing here prints.
"""

from __future__ import annotations

from stanchion.decide.result import Decision, ProfileScore
from stanchion.decide.scoring import WEIGHTS

#: short column names for the score table, in weight order.
COLUMNS: dict[str, str] = {
    "language_preference": "lang",
    "team_size": "team",
    "qps_p99": "qps",
    "pattern": "pattern",
    "workload": "workload",
    "read_write_ratio": "r/w",
    "tenancy": "tenancy",
    "data_sensitivity": "data",
    "communication": "comm",
}


def _cell(score: ProfileScore, factor: str) -> str:
    item = next(c for c in score.contributions if c.factor == factor)
    return "-" if item.max_points == 0 else f"{item.points:g}/{item.max_points:g}"


def score_table(decision: Decision) -> list[str]:
    """Rows of points per input per profile: how each input moved each score."""
    header = ["profile", "score", *COLUMNS.values()]
    rows = [header]
    for score in decision.scores:
        shown = "excluded" if score.excluded else f"{score.score:g}"
        rows.append([score.id, shown, *(_cell(score, f) for f in WEIGHTS)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def _reasons(score: ProfileScore) -> list[str]:
    lines = []
    for c in score.contributions:
        if c.max_points:
            lines.append(f"{c.factor}: {c.points:g} of {c.max_points:g}: {c.reason}")
    if score.excluded:
        lines.append(f"excluded: {score.excluded}")
    return lines


def render_text(decision: Decision, *, explain: bool = False) -> str:
    """The terminal report; ``explain`` adds every profile's reasons, not only the winner's."""
    rec, t = decision.recommendation, decision.targets
    lines = [f"Recommended profile: {rec.id} (score {rec.score:g}/100)", f"  {rec.name}", f"  {rec.summary}"]
    if rec.source != "built-in":
        lines.append(f"  from {rec.source}")
    ru = decision.runner_up
    if ru is not None:
        window = "within" if ru.within_15_percent else "outside"
        lines.append(
            f"Runner-up: {ru.id} (score {ru.score:g}, {ru.gap_percent:g}% lower: {window} the 15% window)"
        )
        if ru.trade_off:
            lines.append(f"  Trade-off: {ru.trade_off}")
    lines += ["", "Assumptions on the table"]
    for a in decision.assumptions:
        note = f"  ({a.note})" if a.note else ""
        lines.append(f"  {a.name:<17} {a.status.upper():<13} {a.value}{note}")
    consumer = t.error_budget_consumer or "not named"
    lines += [
        "",
        f"Targets (SLO floor: p99 {t.slo_floor_p99_ms} ms)",
        f"  latency        p50 {t.p50_ms} ms, p95 {t.p95_ms} ms, p99 {t.p99_ms} ms",
        f"  uptime SLO     {t.uptime_slo_percent:g}% ({t.uptime_source}); error budget "
        f"{t.error_budget_per_30_days} per 30 days, consumer: {consumer}",
        f"  RPO / RTO      {t.rpo} ({t.rpo_source}) / {t.rto} ({t.rto_source})",
        f"  error rate     <= {t.error_rate_percent:g}% 5xx",
        "",
        "Stack picks",
    ]
    width = max(len(k) for k in decision.stack)
    lines += [f"  {key:<{width}}  {value}" for key, value in decision.stack.items()]
    lines += ["", "Anti-patterns to avoid"]
    lines += [f"  - {a.name}: {a.why}" for a in decision.anti_patterns]
    lines += ["", f"Approval: NOT APPROVED. {decision.approval.statement}"]
    lines += [
        f"  {i}. {a.role}: {a.signs_off_on} ({a.reason})"
        for i, a in enumerate(decision.approval.approvers, 1)
    ]
    lines += ["", "Success criteria (verifiable)"]
    for c in decision.success_criteria:
        lines += [f"  [{c.id}] {c.statement}", f"      verify: {c.verify}"]
    lines += ["", "How each input moved each profile's score (points/weight; '-' = not stated)"]
    lines += [f"  {row}" for row in score_table(decision)]
    shown = decision.scores if explain else decision.scores[:1]
    for score in shown:
        lines += ["", f"Why {score.id} scores {score.score:g}"]
        lines += [f"  {line}" for line in _reasons(score)]
    if not explain:
        lines += ["", "  (--explain shows the reasons for every profile)"]
    if decision.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in decision.notes]
    return "\n".join(lines)


def render_markdown(decision: Decision) -> str:
    """The decision as a markdown section (the grill appends it to its saved file)."""
    rec, t = decision.recommendation, decision.targets
    lines = [f"## Decision: {rec.id} (score {rec.score:g}/100)", "", f"**{rec.name}**. {rec.summary}", ""]
    ru = decision.runner_up
    if ru is not None:
        lines.append(f"- Runner-up: `{ru.id}`, score {ru.score:g} ({ru.gap_percent:g}% lower)")
        if ru.trade_off:
            lines.append(f"- Trade-off: {ru.trade_off}")
    lines += [
        f"- Targets: p50 {t.p50_ms} ms, p95 {t.p95_ms} ms, p99 {t.p99_ms} ms (SLO floor); "
        f"uptime {t.uptime_slo_percent:g}% ({t.uptime_source}), error budget {t.error_budget_per_30_days} "
        f"per 30 days spent by {t.error_budget_consumer or '(not named)'}; RPO {t.rpo}, RTO {t.rto}",
        "",
        "### Stack picks",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in decision.stack.items()]
    lines += ["", "### Anti-patterns to avoid", ""]
    lines += [f"- **{a.name}**: {a.why}" for a in decision.anti_patterns]
    lines += ["", "### Approval: not approved", "", decision.approval.statement, ""]
    lines += [f"- [ ] {a.role}: {a.signs_off_on} ({a.reason})" for a in decision.approval.approvers]
    lines += ["", "### Success criteria", ""]
    lines += [f"- [ ] **{c.id}**: {c.statement}. Verify: {c.verify}" for c in decision.success_criteria]
    lines += ["", "### Scores", "", "| " + " | ".join(["profile", "score", *COLUMNS.values()]) + " |"]
    lines.append("|" + "---|" * (len(COLUMNS) + 2))
    for score in decision.scores:
        shown = "excluded" if score.excluded else f"{score.score:g}"
        lines.append("| " + " | ".join([score.id, shown, *(_cell(score, f) for f in WEIGHTS)]) + " |")
    if decision.notes:
        lines += ["", "### Notes", ""] + [f"- {n}" for n in decision.notes]
    return "\n".join(lines) + "\n"
