"""``stanchion decide``: the decision engine, its profiles, and the forcing-question grill (adapters only)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from stanchion.cli.common import check_output, json_option, output, raise_for_exit, settings_for
from stanchion.decide.inputs import FIELDS, flag_name
from stanchion.errors import ExitCode, UsageError
from stanchion.output import Output

DECIDE_EPILOG = """\b
Examples:
  stanchion decide --team-size 8 --qps-p99 50 --read-write-ratio 20 \\
      --tenancy shared-multi-tenant --data-sensitivity pii \\
      --pattern modular-monolith --language-preference typescript
  stanchion decide ... --rpo 15m --rto 1h --slo 99.9 --error-budget-consumer checkout-team
  stanchion decide ... --explain          every input's effect on every profile
  stanchion --json decide ...             the decision as JSON (schema: stanchion decide schema)
  stanchion decide grill                  the seven forcing questions, then the engine
  stanchion decide profiles list

\b
Required: --read-write-ratio, --qps-p99, --tenancy, --data-sensitivity, --pattern.
Exit codes: 0 a recommendation (never an approval), 2 a missing or invalid input or profile.
"""

profiles_option = click.option(
    "--profiles",
    "profiles_dir",
    default=None,
    metavar="DIR",
    help="Custom profiles (a folder of *.json or one file); default: profiles_dir from the config.",
)


def _input_options(func: Any) -> Any:
    for field in reversed(list(FIELDS)):
        func = click.option(
            flag_name(field), field, default=None, metavar=_metavar(field), help=FIELDS[field]
        )(func)
    return func


def _metavar(field: str) -> str:
    return {
        "team_size": "N",
        "qps_p99": "QPS",
        "read_write_ratio": "RATIO",
        "rpo": "DURATION",
        "rto": "DURATION",
        "slo": "PERCENT",
        "error_budget_consumer": "TEAM",
    }.get(field, "WORD")


def _profiles_dir(flag: str | None) -> str | None:
    """The --profiles flag, else STANCHION_PROFILES_DIR, else profiles_dir from the config file."""
    settings = settings_for(profiles_dir=flag)
    value = str(settings.get("profiles_dir") or "")
    if not value:
        return None
    source = settings.sources.get("profiles_dir", "")
    if settings.config_file is not None and source == str(settings.config_file):
        return str((settings.root / value).resolve())
    return value


@click.group(
    "decide",
    invoke_without_command=True,
    epilog=DECIDE_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@_input_options
@profiles_option
@click.option(
    "--explain", is_flag=True, help="Show every input's effect on every profile, not only the winner's."
)
@json_option
@click.pass_context
def group(
    ctx: click.Context, /, profiles_dir: str | None, explain: bool, json_mode: bool, **values: Any
) -> None:
    """Pick a backend profile from stated constraints, explained; it recommends, it never approves.

    Scores each profile (built-in and custom) against the inputs, and returns the best fit with its score,
    the runner-up and the trade-off when it is within 15%, stack picks, anti-patterns, the approvers who
    must sign off, the SLO floor (p99), p50/p95/p99 targets, uptime SLO, RPO, RTO and verifiable success
    criteria.
    """
    if ctx.invoked_subcommand is not None:
        return
    from stanchion.decide import decide_from
    from stanchion.decide.report import render_text

    out = output(ctx, json_mode)
    decision = decide_from(values, _profiles_dir(profiles_dir))
    out.result(decision.to_json(), render_text(decision, explain=explain))


@group.group("profiles", context_settings={"help_option_names": ["-h", "--help"]})
def profiles() -> None:
    """List, show and validate decision profiles (built-in and custom).

    \b
    A custom profile is a copy of a built-in with changed constraints, thresholds and approvers:
      stanchion decide profiles show node-express --json > profiles/acme-node.json
      stanchion decide profiles validate profiles/
      stanchion decide --profiles profiles/ --team-size 8 ...
    """


@profiles.command("list")
@profiles_option
@json_option
@click.pass_context
def profiles_list(ctx: click.Context, profiles_dir: str | None, json_mode: bool) -> None:
    """List the profiles in effect: id, where it comes from, team range and p99 floor.

    \b
    Examples:
      stanchion decide profiles list
      stanchion decide profiles list --profiles ./profiles --json
    """
    from stanchion.decide.catalog import load_catalog

    out = output(ctx, json_mode)
    catalog = load_catalog(_profiles_dir(profiles_dir))
    catalog.raise_for_problems()
    rows: list[dict[str, Any]] = []
    for loaded in catalog.profiles:
        p = loaded.profile
        source = loaded.source + (" (replaces the built-in)" if loaded.overrides_builtin else "")
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "source": source,
                "team_size": f"{p.constraints.team_size.min:g}-{p.constraints.team_size.max:g}",
                "p99_floor_ms": p.thresholds.p99_ms,
                "summary": p.summary,
            }
        )
    width = max(len(r["id"]) for r in rows)
    text = [f"{'id':<{width}}  team     p99 floor  source"]
    text += [
        f"{r['id']:<{width}}  {r['team_size']:<7}  {r['p99_floor_ms']:>6} ms  {r['source']}" for r in rows
    ]
    out.result({"profiles": rows}, "\n".join(text))


@profiles.command("show")
@click.argument("profile_id", metavar="ID")
@profiles_option
@json_option
@click.pass_context
def profiles_show(ctx: click.Context, profile_id: str, profiles_dir: str | None, json_mode: bool) -> None:
    """Show one profile; with --json, the profile file itself (a starting point for a custom one).

    \b
    Examples:
      stanchion decide profiles show fastapi-python
      stanchion decide profiles show node-express --json > profiles/acme-node.json
    """
    from stanchion.decide.catalog import load_catalog

    out = output(ctx, json_mode)
    catalog = load_catalog(_profiles_dir(profiles_dir))
    catalog.raise_for_problems()
    loaded = catalog.get(profile_id)
    document = loaded.profile.model_dump(mode="json", exclude_none=True)
    out.result(document, f"# {loaded.profile.id} ({loaded.source})\n" + json.dumps(document, indent=2))


@profiles.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@json_option
@click.pass_context
def profiles_validate(ctx: click.Context, path: Path | None, json_mode: bool) -> None:
    """Check custom profiles against the schema; each problem names its file and JSON path.

    PATH is a folder of *.json profiles or one file (default: profiles_dir from the config).
    Exit codes: 0 valid, 1 problems found, 2 PATH missing.

    \b
    Examples:
      stanchion decide profiles validate profiles/
      stanchion decide profiles validate profiles/acme.json --json
    """
    from stanchion.decide.catalog import load_catalog

    out = output(ctx, json_mode)
    target = str(path) if path is not None else _profiles_dir(None)
    if target is None:
        raise UsageError(
            "no profiles to validate", "pass a folder or file, or set profiles_dir in the config"
        )
    catalog = load_catalog(target)
    custom = [p.profile.id for p in catalog.profiles if p.source != "built-in"]
    document = {
        "path": target,
        "valid": not catalog.problems,
        "profiles": custom,
        "problems": [p.to_json() for p in catalog.problems],
    }
    if catalog.problems:
        text = "\n".join(str(p) for p in catalog.problems)
        text += f"\n{len(catalog.problems)} problem(s) in {target}"
    else:
        text = f"{len(custom)} profile(s) valid in {target}: {', '.join(custom)}"
    out.result(document, text)
    raise_for_exit(ExitCode.CHECK_FAILED if catalog.problems else ExitCode.OK)


@group.command("schema")
@click.argument("which", type=click.Choice(["decision", "profile"]), default="decision")
def schema(which: str) -> None:
    """Print the JSON Schema of the decision (--json output) or of a profile file.

    \b
    Examples:
      stanchion decide schema              the --json decision document
      stanchion decide schema profile      what a custom profile file must hold
    """
    from stanchion.decide.result import decision_json_schema
    from stanchion.decide.schema import profile_json_schema

    document = decision_json_schema() if which == "decision" else profile_json_schema()
    Output().text(json.dumps(document, indent=2))


@group.command("grill")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Answers as YAML or JSON (keys as the engine's inputs); no prompts.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    metavar="DIR",
    help="Where the dated markdown record is written.",
)
@profiles_option
@json_option
@click.pass_context
def grill(
    ctx: click.Context, answers_file: Path | None, out_dir: Path, profiles_dir: str | None, json_mode: bool
) -> None:
    """The seven forcing questions, one at a time, then the decision engine on the answers.

    Each question shows a recommended answer and its source. Press Enter to take a recommended value;
    answer 'unknown' where nobody knows: that trips the question's kill criterion and stops the grill.
    The answers are saved to backend-grill-YYYY-MM-DD.md in --out.

    \b
    Exit codes: 0 complete with a recommendation, 1 stopped by a kill criterion, 2 bad answers file.

    \b
    Examples:
      stanchion decide grill
      stanchion decide grill --answers answers.yaml --out docs/decisions
    """
    from stanchion.decide.grill import Grill, run_answers

    out = output(ctx, json_mode)
    check_output(out_dir, "--out", folder=True)
    if answers_file is not None:
        machine = run_answers(_read_answers(answers_file), str(answers_file))
    else:
        if not out.stdin_tty:
            raise UsageError(
                "the grill asks its questions on a terminal", "pass --answers FILE to run it without prompts"
            )
        machine = Grill()
        _ask(machine, out)
    _finish(machine, out, out_dir, _profiles_dir(profiles_dir))


def _read_answers(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read answers file {path}: {exc.strerror}", "pass an existing file") from exc
    except yaml.YAMLError as exc:
        raise UsageError(
            f"{path}: not valid YAML or JSON ({str(exc).splitlines()[0]})", "fix the syntax"
        ) from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: answers must be a mapping of input names to answers", "e.g. qps_p99: 50")
    return {str(key).replace("-", "_"): value for key, value in data.items()}


def _ask(machine: Any, out: Output) -> None:
    total = len(machine.questions)
    shown = 0
    while (prompt := machine.current()) is not None:
        q = prompt.question
        if q.number != shown:
            shown = q.number
            out.info(
                f"\nQuestion {q.number} of {total}: {q.title}\n  Why: {q.why}\n  Recommended: {q.recommendation}\n"
                f"  Source: {q.source}\n  Kill criterion: {q.kill_criterion}"
            )
        default = prompt.field.default
        label = f"{prompt.field.prompt} [{default}]" if default else prompt.field.prompt
        # Enter sends "" so that the grill records the recommended value as taken, not typed
        text = click.prompt(label, default="", show_default=False, err=True)
        step = machine.answer(str(text))
        if step.kind == "invalid":
            out.warn(step.message)


def _finish(machine: Any, out: Output, out_dir: Path, profiles_dir: str | None) -> None:
    from stanchion.decide import decide_from
    from stanchion.decide.grill import grill_decision_inputs, save_transcript, transcript_markdown
    from stanchion.decide.report import render_markdown, render_text

    day = date.today()
    if machine.status == "killed":
        path = save_transcript(out_dir, day, transcript_markdown(machine, day))
        document = {**machine.to_json(), "file": str(path), "decision": None}
        out.result(
            document,
            f"STOPPED at question {machine.killed_at}: {machine.kill_reason}.\n"
            f"Resolve it, then run the grill again. Answers saved to {path}",
        )
        raise_for_exit(ExitCode.CHECK_FAILED)
        return
    decision = decide_from(grill_decision_inputs(machine), profiles_dir)
    path = save_transcript(out_dir, day, transcript_markdown(machine, day, render_markdown(decision)))
    document = {**machine.to_json(), "file": str(path), "decision": decision.to_json()}
    out.result(document, render_text(decision) + f"\n\nAnswers and decision saved to {path}")
