"""The terminal report: what ran, latency, throughput, status codes, errors, loader health, advice.

Throughput is also given as wrk prints it (``Requests/sec:``, ``Transfer/sec:``), so scripts that grep a
wrk report read this one. The loader-health line needs at least one whole second to say anything, so a
sub-second run leaves it out (the line above still names the per-request loop that ran).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stanchion.load.stats import PERCENTILES, percentile_label, summarize

if TYPE_CHECKING:
    from stanchion.load.compare import GateReport
    from stanchion.load.result import LoadResult


def ms(us: float | None) -> str:
    return "-" if us is None else f"{us / 1000:.3f} ms"


def render_text(result: LoadResult) -> str:
    plan = result.plan
    doc = result.to_document()
    lines = []
    targets = ", ".join(t.shown for t in plan.targets)
    if plan.open_model:
        shape = f"open model, {plan.rate:g} req/s" if plan.rate else "open model, staged rate"
    else:
        shape = f"closed model, {plan.concurrency} connections"
    lines.append(f"{plan.method} {targets}")
    lines.append(
        f"  {shape}, {result.workers} worker(s), {result.engine} loop, {result.elapsed:.2f}s measured"
        + (" (interrupted: partial results)" if result.interrupted else "")
    )
    if plan.body:
        added = " (added: the body is JSON)" if plan.json_content_type else ""
        kind = f", Content-Type: {plan.content_type}{added}" if plan.content_type else ", no Content-Type"
        lines.append(f"  body {len(plan.body):,} bytes{kind}")
    cut = f", {result.unfinished:,} unfinished (cut off at the end)" if result.unfinished else ""
    lines.append(f"  requests {result.sent:,} sent, {result.completed:,} answered{cut}")
    lines.append(f"Requests/sec: {result.rps:.2f}")
    lines.append(f"Transfer/sec: {doc['throughput']['mb_per_s']:.2f}MB")
    lines.append("")
    lat = result.summary()
    label = "latency (corrected for coordinated omission)" if plan.open_model else "latency"
    lines.append(f"{label}:")
    lines.append(
        f"  min {ms(lat['min'])}  mean {ms(lat['mean'])}  stddev {ms(lat['stddev'])}  max {ms(lat['max'])}"
    )
    raw = summarize(result.uncorrected) if result.uncorrected is not None else None
    header = "  " + "".join(f"{percentile_label(p):>12}" for p in PERCENTILES)
    lines.append(header)
    lines.append(
        "  " + "".join(f"{ms(lat['percentiles'].get(percentile_label(p))):>12}" for p in PERCENTILES)
    )
    if raw is not None:
        lines.append("  uncorrected (from the actual send):")
        lines.append(
            "  " + "".join(f"{ms(raw['percentiles'].get(percentile_label(p))):>12}" for p in PERCENTILES)
        )
    lines.append("")
    status = ", ".join(f"{code}: {n:,}" for code, n in sorted(result.status.items())) or "none"
    lines.append(f"status codes: {status}")
    errors = result.errors
    if errors:
        lines.append(
            f"errors: {result.error_total:,} ({result.error_rate * 100:.3f}%): "
            + ", ".join(f"{k} {v:,}" for k, v in errors.items())
        )
    else:
        lines.append("errors: none")
    if result.rate_limited_at:
        lines.append(
            f"rate limited: first 429 in second {result.rate_limited_at['second']:g}, "
            f"at {result.rate_limited_at['request_rate']:g} requests/s"
        )
    h = result.health
    if result.elapsed >= 1.0:  # a shorter run has no whole second to judge the loader by
        lines.append(
            f"loader: cpu max {h.cpu_max * 100:.0f}% of a core, "
            f"event-loop lag max {h.loop_lag_max_us / 1000:.1f} ms"
            + (f", schedule lag mean {h.schedule_lag_mean_us / 1000:.2f} ms" if plan.open_model else "")
        )
    if h.bottleneck:
        lines.append("warning: the loader, not the server, was the bottleneck: " + "; ".join(h.reasons))
    if result.recommendations:
        lines.append("")
        lines.append("recommendations:")
        lines.extend(f"  - {tip}" for tip in result.recommendations)
    return "\n".join(lines) + "\n"


def render_gate(report: GateReport) -> str:
    names = ("metric", *report.headers)
    rows = [(r.metric, r.before, r.after, r.change) for r in report.rows]
    widths = [max(len(str(x)) for x in col) for col in zip(names, *rows, strict=False)]
    out = [f"{report.title}: {'passed' if report.passed else 'FAILED'}"]
    out.append("  " + "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    out.extend("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(out) + "\n"
