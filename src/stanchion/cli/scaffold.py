"""`stanchion scaffold`: new REST projects and their end-to-end verification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stanchion.cli.common import check_output, json_option, output, raise_for_exit
from stanchion.text import counted

STACK_CHOICES = ("express-typescript", "fastapi")


@click.group(
    "scaffold",
    epilog="""\b
Examples:
  stanchion scaffold new orders-api                 express-typescript with auth, Docker and CI
  stanchion scaffold new shop --stack fastapi --minimal
  stanchion scaffold verify orders-api          install, lint, test, boot and fuzz it
""",
)
def group() -> None:
    """Scaffold API projects, code from OpenAPI specs, and verify them."""


def _ask_flag(given: bool | None, question: str, default: bool) -> bool:
    """With --interactive, ask what a flag did not say; the answer's default is the production set's."""
    if given is not None:
        return given
    return bool(click.confirm(question, default=default, err=True))


@group.command(
    "new",
    epilog="""\b
Examples:
  stanchion scaffold new orders-api                      express-typescript, auth, Docker, CI
  stanchion scaffold new ./services/user-service         into that folder, named user-service
  stanchion scaffold new orders-api --stack fastapi --db sqlite       SQLite by default (demos, small tools)
  stanchion scaffold new shop --stack fastapi --no-docker --auth none
  stanchion scaffold new shop --minimal                  app, health, config, errors, tests
  stanchion scaffold new shop --interactive              ask for each choice on a terminal

\b
Without flags a project gets the full production set: auth (users, JWT, roles), a Dockerfile and a
compose file with PostgreSQL and Redis, and a CI workflow; the stack is express-typescript. --minimal,
--no-docker, --no-ci and --auth none leave parts out. The output is the same on and off a terminal;
nothing is asked unless --interactive.
Exit codes: 0 written; 2 bad name, unknown stack, a non-empty folder without --force, or a path with a
file in the way; 3 a folder that cannot be written.
""",
)
@click.argument("name", metavar="NAME|PATH")
@click.option("--type", "project_type", default="rest", show_default=True, help="Project type (rest).")
@click.option(
    "--stack",
    default=None,
    metavar="STACK",
    help=f"One of: {', '.join(STACK_CHOICES)} (default: {STACK_CHOICES[0]}).",
)
@click.option(
    "--auth",
    type=click.Choice(["jwt", "none"]),
    is_flag=False,
    flag_value="jwt",
    default=None,
    help="Users, JWT with refresh rotation, roles, auth tests: jwt (the default; --auth alone) or none.",
)
@click.option("--no-auth", is_flag=True, help="The same as --auth none.")
@click.option(
    "--docker/--no-docker",
    default=None,
    help="Multi-stage non-root Dockerfile; compose with PostgreSQL and Redis (default: on).",
)
@click.option(
    "--ci/--no-ci",
    default=None,
    help="A GitHub Actions workflow: install, lint, type-check, test, build (default: on).",
)
@click.option(
    "--minimal",
    is_flag=True,
    help="Only the app, health, config, errors and tests (no database, auth, Docker or CI unless asked).",
)
@click.option(
    "--db",
    type=click.Choice(["postgres", "sqlite"]),
    default="postgres",
    show_default=True,
    help="The default database (fastapi also runs on SQLite; express-typescript is PostgreSQL/PGlite).",
)
@click.option("--dir", "directory", default=None, type=click.Path(), help="Folder (default ./NAME).")
@click.option(
    "--force", is_flag=True, help="Write into a non-empty folder (files of the same name are replaced)."
)
@click.option("--interactive", is_flag=True, help="Ask on the terminal for each choice no flag made.")
@json_option
@click.pass_context
def new(
    ctx: click.Context,
    name: str,
    project_type: str,
    stack: str | None,
    auth: str | None,
    no_auth: bool,
    docker: bool | None,
    ci: bool | None,
    minimal: bool,
    db: str,
    directory: str | None,
    force: bool,
    interactive: bool,
    json_mode: bool,
) -> None:
    """Write a production-ready REST project (Express + TypeScript or FastAPI) into NAME or PATH."""
    from stanchion.errors import UsageError
    from stanchion.scaffold.new import new_project, production_options, project_target

    out = output(ctx, json_mode)
    if no_auth and auth == "jwt":
        raise UsageError("--auth jwt and --no-auth contradict each other", "pass one of them")
    wants_auth = False if no_auth or auth == "none" else (True if auth == "jwt" else None)
    project_name, target = project_target(name, directory)
    if interactive:
        if not out.interactive:
            raise UsageError(
                "--interactive asks on a terminal, and this is not one",
                "drop --interactive and pass the choices as flags (the defaults are the production set)",
            )
        if stack is None:
            stack = str(
                click.prompt("Stack", type=click.Choice(STACK_CHOICES), default=STACK_CHOICES[0], err=True)
            )
        if not minimal:
            wants_auth = _ask_flag(wants_auth, "Add authentication (users, JWT, roles)?", True)
        docker = _ask_flag(docker, "Add a Dockerfile and compose file?", not minimal)
        ci = _ask_flag(ci, "Add a GitHub Actions workflow?", not minimal)
    options = production_options(
        project_name,
        stack=stack,
        type=project_type,
        auth=wants_auth,
        docker=docker,
        ci=ci,
        minimal=minimal,
        db=db,
    )
    result = new_project(target, options, force=force)
    out.result(result.to_json(), _render_new(result.to_json()))


def _render_new(doc: dict[str, Any]) -> str:
    opts = doc["options"]
    extras = [flag for flag in ("auth", "docker", "ci", "minimal") if opts[flag]]
    path = doc["path"]
    lines = [
        f"wrote {counted(len(doc['files']), 'file')} to {path} ({opts['stack']}{', ' + ', '.join(extras) if extras else ''}) "
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
  stanchion scaffold verify src/routes/ --spec openapi.yaml            a 'scaffold routes --output' folder

\b
A project: install, lint, typecheck, tests, build (or migrate), boot (127.0.0.1, free port), health,
schemathesis (--checks all against the served /openapi.json), shutdown (SIGTERM).
A routes folder with --spec: sync (no drift from SPEC), install (pinned toolchain), typecheck (tsc strict /
mypy --strict), boot (the standalone server, mock mode), schemathesis (--checks all against SPEC), shutdown.
--json lists every operation checked as "METHOD /path" with its outcome.
Exit codes: 0 pass, 1 a stage failed, 2 not a generated project or routes folder, 3 node/npm or schemathesis missing.
""",
)
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--spec",
    default=None,
    type=click.Path(dir_okay=False),
    help="The OpenAPI spec a routes folder was generated from (verify DIR from 'scaffold routes --output DIR').",
)
@click.option(
    "--cache-dir",
    default=None,
    envvar="STANCHION_SCAFFOLD_CACHE",
    type=click.Path(),
    help="Keep installs here, keyed by lockfile hash, and reuse them (env: STANCHION_SCAFFOLD_CACHE).",
)
@click.option(
    "--max-examples", default=30, show_default=True, type=int, help="Schemathesis examples per operation."
)
@json_option
@click.pass_context
def verify(
    ctx: click.Context,
    directory: str,
    spec: str | None,
    cache_dir: str | None,
    max_examples: int,
    json_mode: bool,
) -> None:
    """Install, check, test, boot and fuzz a generated project or routes folder; one verdict."""
    from stanchion.errors import UsageError
    from stanchion.scaffold.verify import STAGES, verify_project
    from stanchion.scaffold.verify_routes import ROUTES_STAGES, is_routes_folder, verify_routes

    out = output(ctx, json_mode)
    check_output(cache_dir, "--cache-dir", folder=True)
    cache = Path(cache_dir).resolve() if cache_dir else None
    routes = spec is not None and is_routes_folder(Path(directory))
    with out.progress("verify", total=len(ROUTES_STAGES if routes else STAGES)) as progress:
        if spec is not None and routes:
            result = verify_routes(
                Path(directory), Path(spec), cache_dir=cache, max_examples=max_examples, progress=progress
            )
        elif spec is not None:
            raise UsageError(
                f"{directory} is not a routes folder made by 'stanchion scaffold routes' (no .stanchion-routes.json)",
                "pass the --output folder of 'scaffold routes' with --spec; a 'scaffold new' project is verified "
                "without --spec",
            )
        elif is_routes_folder(Path(directory)):
            raise UsageError(
                f"{directory} is a routes folder made by 'stanchion scaffold routes': pass --spec",
                f"stanchion scaffold verify {directory} --spec SPEC (the spec it was generated from)",
            )
        else:
            result = verify_project(
                Path(directory), cache_dir=cache, max_examples=max_examples, progress=progress
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
    if doc["operations"]:
        counts: dict[str, int] = {}
        for op in doc["operations"]:
            counts[op["outcome"]] = counts.get(op["outcome"], 0) + 1
        lines.append(
            f"  operations: {len(doc['operations'])} ("
            + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            + ")"
        )
        for op in doc["operations"]:
            if op["outcome"] != "passed":
                lines.append(f"    {op['outcome']:<8} {op['operation']}  {op['detail']}".rstrip())
    lines.append(f"verdict: {doc['verdict'].upper()}")
    return "\n".join(lines)


from stanchion.cli.scaffold_routes import command as routes_command  # noqa: E402  (spec to code)

group.add_command(routes_command)
