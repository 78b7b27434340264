"""`stanchion scaffold`: new REST projects and their end-to-end verification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stanchion.cli.common import json_option, output, raise_for_exit
from stanchion.output import Output

STACK_CHOICES = ("express-typescript", "fastapi")


@click.group(
    "scaffold",
    epilog="""\b
Examples:
  stanchion scaffold new orders-api --stack fastapi --auth --docker --ci
  stanchion scaffold new shop --stack express-typescript --minimal
  stanchion scaffold verify orders-api          install, lint, test, boot and fuzz it
""",
)
def group() -> None:
    """Scaffold API projects, code from OpenAPI specs, and verify them."""


def _ask_flag(out: Output, given: bool | None, question: str, default: bool) -> bool:
    if given is not None:
        return given
    if out.interactive:
        return bool(click.confirm(question, default=default, err=True))
    return False


@group.command(
    "new",
    epilog="""\b
Examples:
  stanchion scaffold new orders-api --stack fastapi --auth --docker --ci
  stanchion scaffold new orders-api --stack fastapi --db sqlite       SQLite by default (demos, small tools)
  stanchion scaffold new shop --stack express-typescript --minimal    app, health, config, errors, tests
  stanchion scaffold new shop --stack express-typescript --auth --json

\b
On a terminal, missing choices are asked; elsewhere --stack is required and absent flags mean "no".
Exit codes: 0 written, 2 bad name, unknown stack, or a non-empty folder without --force.
""",
)
@click.argument("name")
@click.option("--type", "project_type", default="rest", show_default=True, help="Project type (rest).")
@click.option("--stack", default=None, metavar="STACK", help=f"One of: {', '.join(STACK_CHOICES)}.")
@click.option("--auth/--no-auth", default=None, help="Users, JWT with refresh rotation, roles, auth tests.")
@click.option(
    "--docker/--no-docker",
    default=None,
    help="Multi-stage non-root Dockerfile; compose with PostgreSQL and Redis.",
)
@click.option(
    "--ci/--no-ci", default=None, help="A GitHub Actions workflow: install, lint, type-check, test, build."
)
@click.option(
    "--minimal", is_flag=True, help="Only the app, health, config, errors and tests (no database, no auth)."
)
@click.option(
    "--db",
    type=click.Choice(["postgres", "sqlite"]),
    default="postgres",
    show_default=True,
    help="The default database (fastapi also runs on SQLite; express-typescript is PostgreSQL/PGlite).",
)
@click.option(
    "--dir", "directory", default=None, type=click.Path(file_okay=False), help="Folder (default ./NAME)."
)
@click.option(
    "--force", is_flag=True, help="Write into a non-empty folder (files of the same name are replaced)."
)
@json_option
@click.pass_context
def new(
    ctx: click.Context,
    name: str,
    project_type: str,
    stack: str | None,
    auth: bool | None,
    docker: bool | None,
    ci: bool | None,
    minimal: bool,
    db: str,
    directory: str | None,
    force: bool,
    json_mode: bool,
) -> None:
    """Write a production-ready REST project (Express + TypeScript or FastAPI)."""
    from stanchion.errors import UsageError
    from stanchion.scaffold.new import ProjectOptions, check_name, new_project

    out = output(ctx, json_mode)
    check_name(name)
    if stack is None:
        if not out.interactive:
            raise UsageError("--stack is required", f"choose one of: {', '.join(STACK_CHOICES)}")
        stack = str(click.prompt("Stack", type=click.Choice(STACK_CHOICES), err=True))
    if not minimal:
        auth = _ask_flag(out, auth, "Add authentication (users, JWT, roles)?", True)
    docker = _ask_flag(out, docker, "Add a Dockerfile and compose file?", True)
    ci = _ask_flag(out, ci, "Add a GitHub Actions workflow?", True)
    options = ProjectOptions(
        name=name,
        stack=stack,
        type=project_type,
        auth=bool(auth),
        docker=docker,
        ci=ci,
        minimal=minimal,
        db=db,
    )
    target = Path(directory) if directory else Path.cwd() / name
    result = new_project(target, options, force=force)
    out.result(result.to_json(), _render_new(result.to_json()))


def _render_new(doc: dict[str, Any]) -> str:
    opts = doc["options"]
    extras = [flag for flag in ("auth", "docker", "ci", "minimal") if opts[flag]]
    path = doc["path"]
    lines = [
        f"wrote {len(doc['files'])} files to {path} ({opts['stack']}{', ' + ', '.join(extras) if extras else ''}) "
        f"in {doc['seconds']:.2f} s",
        "next:",
        f"  stanchion scaffold verify {path}",
    ]
    if opts["stack"] == "fastapi":
        lines.append(
            f"  cd {path} && python3 -m venv .venv && .venv/bin/pip install -r requirements-lock.txt"
        )
    else:
        lines.append(f"  cd {path} && npm ci && npm run dev")
    return "\n".join(lines)


@group.command(
    "verify",
    epilog="""\b
Examples:
  stanchion scaffold verify orders-api
  stanchion scaffold verify orders-api --cache-dir ~/.cache/stanchion   reuse installs across projects
  stanchion scaffold verify shop --max-examples 50 --json

\b
Stages: install, lint, typecheck, tests, build (or migrate), boot (127.0.0.1, free port), health,
schemathesis (--checks all against the served /openapi.json), shutdown (SIGTERM).
Exit codes: 0 pass, 1 a stage failed, 2 not a generated project, 3 node/npm or schemathesis missing.
""",
)
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--cache-dir",
    default=None,
    envvar="STANCHION_SCAFFOLD_CACHE",
    type=click.Path(file_okay=False),
    help="Keep installs here, keyed by lockfile hash, and reuse them (env: STANCHION_SCAFFOLD_CACHE).",
)
@click.option(
    "--max-examples", default=30, show_default=True, type=int, help="Schemathesis examples per operation."
)
@json_option
@click.pass_context
def verify(
    ctx: click.Context, directory: str, cache_dir: str | None, max_examples: int, json_mode: bool
) -> None:
    """Install, check, test, boot and fuzz a generated project; one verdict."""
    from stanchion.scaffold.verify import STAGES, verify_project

    out = output(ctx, json_mode)
    with out.progress("verify", total=len(STAGES)) as progress:
        result = verify_project(
            Path(directory),
            cache_dir=Path(cache_dir).resolve() if cache_dir else None,
            max_examples=max_examples,
            progress=progress,
        )
    doc = result.to_json()
    out.result(doc, _render_verify(doc))
    raise_for_exit(0 if result.ok else 1)


def _render_verify(doc: dict[str, Any]) -> str:
    marks = {"ok": "ok  ", "failed": "FAIL", "skipped": "skip"}
    lines = [f"{doc['path']} ({doc['stack']})"]
    for stage in doc["stages"]:
        first = stage["detail"].splitlines()[-1] if stage["detail"] and stage["status"] == "ok" else ""
        lines.append(f"  {marks[stage['status']]} {stage['name']:<13} {stage['seconds']:>6.1f} s  {first}")
        if stage["status"] == "failed":
            if stage["command"]:
                lines.append(f"       $ {stage['command']}")
            lines.extend("       " + line for line in stage["detail"].splitlines())
    lines.append(f"verdict: {doc['verdict'].upper()}")
    return "\n".join(lines)


from stanchion.cli.scaffold_routes import command as routes_command  # noqa: E402  (spec to code)

group.add_command(routes_command)
