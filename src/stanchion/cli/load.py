"""``stanchion load``: parse flags, run the core, render the report, apply the CI gates."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import click

from stanchion.cli.common import check_output, json_option, output, raise_for_exit
from stanchion.errors import ExitCode, UsageError
from stanchion.output import Output

EXAMPLES = """\b
Examples:
  stanchion load http://127.0.0.1:8000/health -n 1000 -c 20
  stanchion load http://127.0.0.1:8000/ --users 10 --requests 100
  stanchion load http://127.0.0.1:8000/ -c 50 -d 30s
  stanchion load http://127.0.0.1:8000/ -r 2000 -d 60s          open model, constant arrival rate
  stanchion load http://127.0.0.1:8000/ --stages "30s:100,60s:500"
  stanchion load http://127.0.0.1:8000/api -m POST -H "Authorization: Bearer t" -b '{"a":1}'
  stanchion load http://127.0.0.1:8000/ --output report.html       (--format html, or the suffix)
  stanchion load http://127.0.0.1:8000/ -d 10 --threshold "p99<200ms,error_rate<0.1%,rps>1000"
  stanchion load http://127.0.0.1:8000/ --format json --output base.json
  stanchion load http://127.0.0.1:8000/ --baseline base.json    (or: --compare base.json)
  stanchion load http://127.0.0.1:8000/ -n 1000 --baseline base.json --metrics error_rate,requests
  stanchion load http://127.0.0.1:8000/v1 http://127.0.0.1:8000/v2 --compare
  stanchion load http://127.0.0.1:8000/login --expect-status 400
  stanchion load http://127.0.0.1:8000/ --stages "20s:1000" --expect-rate-limit

\b
-n with -d: exactly N requests, unless the deadline comes first (the run then ends there).
A JSON body (-b/--data) without a Content-Type header is sent as application/json.
\b
Exit codes: 0 ok; 1 a gate failed (threshold, baseline, compare, expected status or rate limit), or
no request got a 2xx/3xx answer (unless --expect-status names the status expected); 2 bad flags;
3 no connection could be opened (nothing listening, DNS, TLS) or the loader could not run;
130 interrupted (the report shows what ran).
"""

REPORT_FORMATS = ("text", "json", "html")
SAVE_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".txt": "text", ".text": "text"}


@click.command(
    "load",
    epilog=EXAMPLES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.argument("urls", nargs=-1, metavar="URL [URL ...]")
@click.option(
    "-c",
    "--concurrency",
    "--users",
    "--concurrent",
    type=int,
    help="Connections (closed model default 10, open 50).",
)
@click.option(
    "-d",
    "--duration",
    help="Run length: 30, 30s, 2m (default 10s unless -n is given); the run ends at the deadline.",
)
@click.option(
    "-n", "--requests", type=int, help="Send exactly this many requests (closed model; -d caps the time)."
)
@click.option("-r", "--rate", type=float, help="Open model: requests per second at constant arrival.")
@click.option("--stages", help='Open model ramps: "30s:100,60s:500" (to 100/s over 30s, then to 500/s).')
@click.option("--warmup", help="Load this long first and discard it: 5s.")
@click.option("-m", "--method", default="GET", show_default=True, help="HTTP method.")
@click.option("-H", "--header", "headers", multiple=True, help='Request header "Name: value" (repeatable).')
@click.option("--headers", "headers_file", type=click.Path(), help="File of headers, one per line.")
@click.option(
    "-b", "--body", help="Request body (JSON is sent as application/json unless -H says otherwise)."
)
@click.option("--data", "data_file", type=click.Path(), help="Read the request body from a file.")
@click.option("--timeout", default="10s", show_default=True, help="Per-request and connect timeout.")
@click.option("--insecure", is_flag=True, help="Accept self-signed TLS certificates.")
@click.option("--workers", type=int, help="Load processes (default: the cores); histograms merge exactly.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), help="Report format (default: text).")
@click.option(
    "-o",
    "--output",
    "--save",
    "save",
    multiple=True,
    metavar="FILE",
    help="Write the report to FILE (format from --format or the suffix: .txt, .json, .html).",
)
@click.option("--hdr-log", type=click.Path(), help="Write an HdrHistogram interval log.")
@click.option("--threshold", help='Gate: "p99<200ms,error_rate<0.1%,rps>1000"; exit 1 when breached.')
@click.option(
    "--baseline", type=click.Path(), help="Gate: compare with a saved JSON run; exit 1 on regression."
)
@click.option(
    "--tolerance", default="10%", show_default=True, help="How much worse than the baseline is allowed."
)
@click.option(
    "--metrics",
    "compare_metrics",
    help="What --baseline/--compare check (default p50,p90,p99,mean,rps,error_rate); "
    "error_rate,errors,requests do not depend on the machine's speed.",
)
@click.option("--compare", is_flag=True, help="Two URLs side by side (or URL --compare baseline.json).")
@click.option("--expect-status", type=int, help="Gate: every response must have this status.")
@click.option("--expect-rate-limit", is_flag=True, help="Gate: passes when the server starts answering 429.")
@json_option
@click.pass_context
def command(ctx: click.Context, /, urls: tuple[str, ...], **opts: Any) -> None:
    """HTTP load test with exact latency percentiles, reports and CI gates.

    Closed model (default): -c connections send back to back, for -d seconds or exactly -n requests.
    Open model (-r or --stages): requests arrive on a fixed schedule and latency counts from the
    intended send time (coordinated omission corrected); the uncorrected view is shown beside it.
    """
    out = output(ctx, opts.pop("json_mode"))
    from stanchion.load.compare import COMPARED, parse_metrics, parse_thresholds, parse_tolerance

    urls_list = list(urls)
    baseline = opts.pop("baseline")
    compare = opts.pop("compare")
    if compare:
        files = [u for u in urls_list if not u.startswith(("http://", "https://"))]
        if files:
            if len(files) > 1 or baseline:
                raise UsageError("--compare takes one baseline file", "URL --compare baseline.json")
            baseline = files[0]
            urls_list.remove(files[0])
            compare = False
        elif len(urls_list) != 2:
            raise UsageError("--compare needs two URLs or one baseline file", "URL1 URL2 --compare")
    fmt, save = _format_and_path(out, opts.pop("fmt"), opts.pop("save"))
    hdr_log = opts.pop("hdr_log")
    thresholds = parse_thresholds(opts["threshold"]) if opts["threshold"] else []
    tolerance = parse_tolerance(opts.pop("tolerance"))
    metrics_text = opts.pop("compare_metrics")
    metrics = parse_metrics(metrics_text) if metrics_text is not None else COMPARED
    opts.pop("threshold")
    expect_rate_limit = opts.pop("expect_rate_limit")
    if fmt is None and save:
        fmt = _save_format(save)
    fmt = fmt or ("json" if out.json_mode else "text")
    check_output(save, "--output", folder=False)  # before the run: a report nobody can keep is a wasted run
    check_output(hdr_log, "--hdr-log", folder=False)

    from stanchion.load.compare import load_baseline
    from stanchion.load.plan import build_plan

    base_doc = load_baseline(baseline) if baseline else None
    plans = [build_plan([u], **opts) for u in urls_list] if compare else [build_plan(urls_list, **opts)]

    results = []
    interrupted = False
    for plan in plans:
        result = _run_with_progress(plan, out)
        results.append(result)
        if result.interrupted:
            interrupted = True
            break
    gates = _gates(results, thresholds, base_doc, baseline, tolerance, compare, expect_rate_limit, metrics)
    _emit(out, results, gates, fmt, save, hdr_log)
    if interrupted:
        raise_for_exit(ExitCode.INTERRUPTED)
    unreachable = [r for r in results if r.unreachable]
    if unreachable:
        from stanchion.load.advice import unreachable_cause

        out.error(
            unreachable_cause(unreachable[0]),
            "no connection could be opened, so nothing was tested; the report above shows each attempt",
        )
        raise_for_exit(ExitCode.ENVIRONMENT)
    raise_for_exit(ExitCode.OK if all(g.passed for g in gates) else ExitCode.CHECK_FAILED)


def _format_and_path(out: Output, fmt: str | None, given: tuple[str, ...]) -> tuple[str | None, str | None]:
    """``--output``/``--save`` name the report file; ``--output html`` (a format name) is the old spelling of
    ``--format html``, still accepted with a note on stderr."""
    paths = []
    for value in given:
        if value in REPORT_FORMATS and not Path(value).suffix:
            out.warn(f"--output {value} is the old spelling of --format {value}; --output now takes a FILE")
            fmt = fmt or value
        else:
            paths.append(value)
    if len(paths) > 1:
        raise UsageError(f"one report file, not {len(paths)}: {', '.join(paths)}", "give --output FILE once")
    return fmt, (paths[0] if paths else None)


def _save_format(save: str) -> str:
    """The report format named by --save's suffix; an unknown one is refused before anything runs."""
    suffix = Path(save).suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise UsageError(
            f"cannot tell the report format of {save!r} from {suffix or 'a name without a suffix'}",
            "name it .txt, .json or .html, or give --format text|json|html",
        )
    return SAVE_FORMATS[suffix]


def _run_with_progress(plan: Any, out: Output) -> Any:
    from stanchion.load import run

    stop = {"flag": False}
    live = bool(out.stderr_tty and not out.json_mode and not out.quiet)

    def on_second(row: Any) -> None:
        if live:
            p99 = f"{row.p99_us / 1000:.1f} ms" if row.p99_us is not None else "-"
            errors = sum(row.errors.values())
            out.stderr.write(
                f"\r  {row.second + 1:>4}s  {row.rps:>10,.0f} req/s  p99 {p99:>10}  errors {errors:<8}"
            )
            out.stderr.flush()

    def on_sigint(signum: int, frame: Any) -> None:
        if stop["flag"]:
            raise KeyboardInterrupt
        stop["flag"] = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        out.info(
            f"loading {', '.join(t.shown for t in plan.targets)} ({plan.model} model, {plan.workers} worker(s))"
        )  # plan.workers is what runs (build_plan caps it by the connections): the report says the same
        result = run(plan, on_second=on_second, should_stop=lambda: stop["flag"])
    finally:
        signal.signal(signal.SIGINT, previous)
        if live:
            out.stderr.write("\r" + " " * 70 + "\r")
    return result


def _gates(
    results: list[Any],
    thresholds: list[Any],
    base_doc: dict[str, Any] | None,
    baseline: str | None,
    tolerance: float,
    compare: bool,
    expect_rate_limit: bool,
    metrics: tuple[str, ...],
) -> list[Any]:
    from stanchion.load.compare import GateReport, Row, check_thresholds, metrics_of
    from stanchion.load.compare import compare as compare_runs

    gates = []
    last = results[-1]
    if not expect_rate_limit:  # that gate judges the answers itself (429s are what it looks for)
        for result in results:
            if result.unanswered and not result.unreachable:
                gates.append(_answers_gate(result))
    if thresholds:
        gates.append(check_thresholds(last.metrics(), thresholds))
    if base_doc is not None:
        gates.append(
            compare_runs(metrics_of(base_doc), last.metrics(), tolerance, f"baseline {baseline}", metrics)
        )
    if compare and len(results) == 2:
        a, b = results
        title = f"compare {a.plan.targets[0].shown} (before) with {b.plan.targets[0].shown} (after)"
        gates.append(compare_runs(a.metrics(), b.metrics(), tolerance, title, metrics))
    expect = last.plan.expect_status
    if expect is not None:
        other = sum(n for code, n in last.status.items() if code != expect) + sum(
            last.transport_errors.values()
        )
        gate = GateReport(f"expect status {expect}", ("expected", "actual", "verdict"))
        ok = other == 0 and last.completed > 0
        gate.rows.append(
            Row(
                "responses",
                f"all {expect}",
                f"{other} other of {last.attempts}",
                "pass" if ok else "FAIL",
                ok,
            )
        )
        gates.append(gate)
    if expect_rate_limit:
        gate = GateReport("expect rate limit (429)", ("expected", "actual", "verdict"))
        at = last.rate_limited_at
        seen = f"first 429 at {at['request_rate']:g} req/s (second {at['second']:g})" if at else "no 429 seen"
        gate.rows.append(Row("429 answers", "some", seen, "pass" if at else "FAIL", at is not None))
        gates.append(gate)
    return gates


def _answers_gate(result: Any) -> Any:
    """The implicit gate of every run: some request got a 2xx/3xx answer (--expect-status replaces it)."""
    from stanchion.load.compare import GateReport, Row

    gate = GateReport(
        f"answers from {', '.join(t.shown for t in result.plan.targets)}", ("expected", "actual", "verdict")
    )
    seen = ", ".join(f"{code}: {n:,}" for code, n in sorted(result.status.items())) or "no answer"
    gate.rows.append(Row("2xx/3xx", "some", f"none of {result.sent:,} ({seen})", "FAIL", False))
    return gate


def _emit(
    out: Output, results: list[Any], gates: list[Any], fmt: str, save: str | None, hdr_log: str | None
) -> None:
    from stanchion.load.report import render
    from stanchion.load.report.text import render_gate

    last = results[-1]
    if save:
        try:
            Path(save).write_text(render(last, fmt), encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write {save}: {exc.strerror}", "check the folder exists and is writable"
            ) from None
    if hdr_log:
        from stanchion.load.report.hdrlog import write_hdr_log

        try:
            write_hdr_log(last, hdr_log)
        except OSError as exc:
            raise UsageError(f"cannot write {hdr_log}: {exc.strerror}", "check the folder exists") from None
    gate_text = "".join("\n" + render_gate(g) for g in gates)
    if out.json_mode or (fmt == "json" and not save):
        doc = last.to_document() if len(results) == 1 else {"runs": [r.to_document() for r in results]}
        doc["gates"] = [g.to_json() for g in gates]
        out.json_mode = True
        out.result(doc)
        if gate_text:
            out.info(gate_text.strip("\n"))
        return
    if fmt == "html" and not save:
        out.text(render(last, "html"))
        if gate_text:
            out.info(gate_text.strip("\n"))
        return
    text = "".join(render(r, "text") + "\n" for r in results) + gate_text
    if save:
        text += f"\nreport written to {save}\n"
    out.text(text.rstrip("\n"))
