"""``stanchion probe``: check a running API from outside for security practice, within a budget."""

from __future__ import annotations

import click

from stanchion.cli.common import json_option, output, raise_for_exit
from stanchion.errors import ExitCode

EPILOG = """\b
Examples:
  stanchion probe http://127.0.0.1:8000
  stanchion probe http://127.0.0.1:8000 --spec openapi.yaml --token "$TOKEN_A" --token-b "$TOKEN_B"
  stanchion probe http://127.0.0.1:8000 --spec http://127.0.0.1:8000/openapi.json --json
  stanchion probe https://api.example.com --fail-on medium --max-requests 100

Every request goes to BASE_URL's origin only, at most --max-requests of them within --max-seconds (the
budget is printed first). Findings carry id, severity, endpoint, evidence and fix; the score starts at 100
and each finding costs high 25, medium 10, low 5. See docs/probe.md for every rule.

Exit codes: 0 no finding at or above --fail-on; 1 there is one; 2 usage; 3 the API does not answer.
"""


@click.command("probe", epilog=EPILOG)
@click.argument("base_url")
@click.option("--spec", metavar="FILE_OR_URL", help="OpenAPI document: secured operations, bodies, ids.")
@click.option("--token", metavar="T", help="Bearer token of identity A.")
@click.option("--token-b", "token_b", metavar="T2", help="Bearer token of identity B (for BOLA).")
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high"]),
    default="high",
    show_default=True,
    help="Exit 1 when a finding of this severity or above exists.",
)
@click.option("--max-requests", type=click.IntRange(1, 10_000), default=300, show_default=True)
@click.option("--max-seconds", type=click.FloatRange(1, 3600), default=60.0, show_default=True)
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    base_url: str,
    spec: str | None,
    token: str | None,
    token_b: str | None,
    fail_on: str,
    max_requests: int,
    max_seconds: float,
    rules: tuple[str, ...],
    json_mode: bool,
) -> None:
    """Probe a running API for security headers, CORS, auth, BOLA, mass assignment, error hygiene,
    input handling, rate limiting on auth paths and TRACE."""
    from stanchion.probe.client import parse_base_url
    from stanchion.probe.run import Budget, probe

    out = output(ctx, json_mode)
    budget = Budget(requests=max_requests, seconds=max_seconds)
    scheme, host, port, _ = parse_base_url(base_url)
    out.info(f"budget: {budget.describe(f'{scheme}://{host}:{port}')}")
    result = probe(base_url, spec=spec, token=token, token_b=token_b, budget=budget, only=list(rules))
    lines = []
    for f in result.findings:
        lines.append(f"{f.severity.upper():<6}  {f.id:<26} {f.endpoint}")
        lines.append(f"        {f.evidence}")
        lines.append(f"        fix: {f.fix}")
    lines += [f"note: {n}" for n in result.notes]
    lines += [f"stopped by the budget: {r}" for r in result.incomplete]
    lines.append(
        f"score {result.score}/100; {len(result.findings)} finding(s) from {len(result.rules)} rules; "
        f"{result.requests} requests in {result.seconds:.1f} s"
    )
    out.result(result.to_json(), "\n".join(lines))
    raise_for_exit(ExitCode.CHECK_FAILED if result.failing(fail_on) else ExitCode.OK)
