"""``stanchion perf``: load each endpoint while diffing pg_stat_statements, and name the fix."""

from __future__ import annotations

import os
import signal
from typing import Any

import click

from stanchion.cli.common import check_output, json_option, output, raise_for_exit
from stanchion.errors import ExitCode, UsageError

EXAMPLES = """\b
Examples:
  stanchion perf http://127.0.0.1:8000 --endpoint /api/users --database-url postgresql://app@127.0.0.1/app
  stanchion perf http://127.0.0.1:8000 --endpoint "GET /api/users" --endpoint "GET /api/orders" -n 1000
  stanchion perf http://127.0.0.1:8000 --endpoint /api/users -d 20s -c 20 --optimize queries --json
  STANCHION_BASE_URL=http://127.0.0.1:8000 stanchion perf --endpoint /api/users    (latency and errors only)
  stanchion perf http://127.0.0.1:8000 -e /api/users --database-url DB --json > before.json
  stanchion perf http://127.0.0.1:8000 -e /api/users --database-url DB --baseline before.json
  stanchion perf http://127.0.0.1:8000 -e /api/users --database-url DB --output perf.html

\b
Per endpoint, one at a time: a short warm-up, a pg_stat_statements snapshot, the load phase (-n or -d on
the load engine), a second snapshot. The difference is what that endpoint's requests made the database do:
statements per request, database ms per request against latency, each statement's calls per request.
Findings: n-plus-one (one statement 5 or more times per request), slow-query (PgHero's 20 ms mean over
100 calls), cache-candidate (a read repeated across requests, its tables never written in the phase),
missing-index (a HypoPG hypothetical index halves a statement's planner cost), errors (failing
requests). --optimize picks the areas: queries (n-plus-one, slow-query), caching (cache-candidate),
indexes (slow-query, missing-index); all by default.
Needs pg_stat_statements (shared_preload_libraries, then CREATE EXTENSION pg_stat_statements).
Analyze against a database the app alone uses: every statement in a phase is counted for its endpoint.
\b
--baseline compares each endpoint with a saved --json run (matched by method and path): a figure worse
by more than --tolerance is a regression. Statements per request and errors are counts, the same on any
machine; latency and req/s depend on the machine (--metrics statements_per_request,errors for CI).
\b
Exit codes: 0 the analysis ran (findings are reported, not failed); 1 a --baseline regression; 2 bad flags;
3 the app or the database could not be reached, or pg_stat_statements is missing; 130 interrupted.
"""


def _areas(value: str | None) -> tuple[str, ...]:
    from stanchion.perf.run import OPTIMIZE_AREAS

    if value is None:
        return OPTIMIZE_AREAS
    areas = tuple(a.strip().lower() for a in value.split(",") if a.strip())
    unknown = [a for a in areas if a not in OPTIMIZE_AREAS]
    if unknown or not areas:
        raise UsageError(
            f"unknown --optimize area {', '.join(unknown) if unknown else repr(value)}",
            f"choose from {', '.join(OPTIMIZE_AREAS)}, e.g. --optimize caching,queries",
        )
    return areas


@click.command(
    "perf",
    epilog=EXAMPLES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.argument("base_url", required=False, metavar="BASE_URL")
@click.option(
    "-e",
    "--endpoint",
    "endpoints",
    multiple=True,
    metavar='"[METHOD ]PATH"',
    help='An endpoint to analyze, e.g. "/api/users" or "POST /api/orders" (repeatable).',
)
@click.option("--base-url", "base_url_opt", metavar="URL", help="The app's address (or BASE_URL, or env).")
@click.option(
    "--database-url",
    "database_url",
    metavar="URL",
    help="The app's PostgreSQL database, read through pg_stat_statements (default: none).",
)
@click.option(
    "-n", "--requests", type=int, help="Requests per endpoint in the measured phase (default: 500)."
)
@click.option("-d", "--duration", help="Or: load each endpoint this long (30s).")
@click.option("-c", "--concurrency", type=int, default=10, show_default=True, help="Connections.")
@click.option("-H", "--header", "headers", multiple=True, help='Request header "Name: value" (repeatable).')
@click.option("--optimize", metavar="AREAS", help="Areas to look at: caching,queries,indexes (default: all).")
@click.option(
    "-o",
    "--output",
    "output_path",
    type=click.Path(),
    help="Also save the report: FILE.html (one self-contained page) or FILE.json.",
)
@click.option(
    "--baseline",
    type=click.Path(),
    help="Compare with a saved --json run, endpoint by endpoint; exit 1 on a regression.",
)
@click.option(
    "--tolerance", default="10%", show_default=True, help="How much worse than the baseline is allowed."
)
@click.option(
    "--metrics",
    help="What --baseline checks (default statements_per_request,p50,p99,rps,errors; "
    "also db_ms_per_request, p90, p95).",
)
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    base_url: str | None,
    endpoints: tuple[str, ...],
    base_url_opt: str | None,
    database_url: str | None,
    requests: int | None,
    duration: str | None,
    concurrency: int,
    headers: tuple[str, ...],
    optimize: str | None,
    baseline: str | None,
    tolerance: str,
    metrics: str | None,
    output_path: str | None,
    json_mode: bool,
) -> None:
    """Find what each endpoint costs the database: statements per request, N+1, slow queries, caching."""
    from stanchion.load.compare import parse_tolerance
    from stanchion.perf import analyze, parse_endpoint
    from stanchion.perf.baseline import COMPARED, gates, load_baseline, parse_metrics

    out = output(ctx, json_mode)
    if base_url and base_url_opt and base_url.rstrip("/") != base_url_opt.rstrip("/"):
        raise UsageError("two base URLs given", "give BASE_URL or --base-url, not both")
    base = base_url or base_url_opt or os.environ.get("STANCHION_BASE_URL")
    if not base:
        raise UsageError(
            "no base URL",
            "give it: stanchion perf http://127.0.0.1:8000 (or --base-url, or STANCHION_BASE_URL)",
        )
    if not endpoints:
        raise UsageError("no --endpoint given", 'name what to analyze: --endpoint "GET /api/users"')
    if requests is not None and duration is not None:
        raise UsageError("-n and -d both given", "bound each phase by a request count or by a duration")
    areas = _areas(optimize)
    save_format = _save_format(output_path)
    base_doc = load_baseline(baseline) if baseline else None
    allowed = parse_tolerance(tolerance)
    compared = parse_metrics(metrics) if metrics else COMPARED
    parsed = [parse_endpoint(e) for e in endpoints]
    stop = {"flag": False}

    def on_sigint(signum: int, frame: Any) -> None:
        if stop["flag"]:
            raise KeyboardInterrupt
        stop["flag"] = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        report = analyze(
            base,
            parsed,
            database_url=database_url,
            requests=requests,
            duration=duration,
            concurrency=concurrency,
            headers=headers,
            optimize=areas,
            on_phase=out.info,
            should_stop=lambda: stop["flag"],
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    doc = report.to_json()
    checks = gates(doc, base_doc, allowed, compared) if base_doc is not None else []
    text = render(report)
    if checks:
        from stanchion.load.report.text import render_gate

        doc["baseline"] = {"file": baseline, "gates": [g.to_json() for g in checks]}
        text += "\n\n" + "\n".join(render_gate(g) for g in checks).rstrip("\n")
    if output_path is not None:
        _save(output_path, save_format, doc)
    out.result(doc, text)
    if report.interrupted:
        raise_for_exit(ExitCode.INTERRUPTED)
    raise_for_exit(ExitCode.OK if all(g.passed for g in checks) else ExitCode.CHECK_FAILED)


def _save_format(path: str | None) -> str:
    """The format ``--output``'s suffix names, checked with the path before any load is sent."""
    if path is None:
        return ""
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    formats = {".html": "html", ".htm": "html", ".json": "json"}
    if suffix not in formats:
        raise UsageError(f"--output {path}: unknown report format", "name a .html or a .json file")
    check_output(path, "--output", folder=False)
    return formats[suffix]


def _save(path: str, fmt: str, doc: dict[str, Any]) -> None:
    import json
    from pathlib import Path

    from stanchion.errors import EnvironmentProblem
    from stanchion.perf.html import render_html
    from stanchion.redact import mask_secrets

    text = mask_secrets(render_html(doc) if fmt == "html" else json.dumps(doc, indent=2) + "\n")
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot write {path}: {exc.strerror}", "check the folder exists and is writable"
        ) from None


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def render(report: Any) -> str:
    """The text report: one block per endpoint, then the findings, then the notes."""
    lines = [
        f"stanchion perf {report.base_url}" + (f"  (database {report.database})" if report.database else "")
    ]
    for entry in report.endpoints:
        doc = entry.to_json()
        lat = doc["latency_ms"]
        lines += [
            "",
            f"{entry.endpoint.label}: {doc['requests']} requests, {doc['rps']:,.0f} req/s, {doc['errors']} errors",
            f"  latency  p50 {_ms(lat['p50'])}  p90 {_ms(lat['p90'])}  p99 {_ms(lat['p99'])}",
        ]
        if doc["statements_per_request"] is not None:
            share = f" ({doc['db_share']:.0%} of the mean latency)" if doc["db_share"] is not None else ""
            lines.append(
                f"  database {doc['statements_per_request']:.2f} statements and "
                f"{_ms(doc['db_ms_per_request'])} per request{share}"
            )
            for s in doc["statements"][:8]:
                lines.append(f"    {s['calls_per_request']:>7.2f}/req  {s['mean_ms']:>8.3f} ms  {s['query']}")
            if len(doc["statements"]) > 8:
                lines.append(f"    ... {len(doc['statements']) - 8} more (--json lists them all)")
    lines.append("")
    if report.findings:
        lines.append(f"Findings ({len(report.findings)}):")
        for f in report.findings:
            lines += [f"  {f.id}  {f.endpoint}", f"    {f.evidence}", f"    fix: {f.fix}"]
    else:
        lines.append("No findings.")
    for note in report.notes:
        lines.append(f"note: {note}")
    if report.interrupted:
        lines.append("interrupted: the report shows the phases that ran")
    return "\n".join(lines)
