"""`stanchion scaffold routes`: route handlers, validators and types from an OpenAPI spec."""

from __future__ import annotations

import click

from stanchion.cli.common import json_option, output, raise_for_exit
from stanchion.text import counted

FRAMEWORKS = ("express", "fastify", "koa", "fastapi")


@click.command(
    "routes",
    epilog="""\b
Examples:
  stanchion scaffold routes openapi.yaml      (inside a 'scaffold new' project: its routes folder, mounted)
  stanchion scaffold routes openapi.yaml --framework express --output src/routes/
  stanchion scaffold routes openapi.json --framework fastify --output src/
  stanchion scaffold routes openapi.yaml --framework fastapi --output app/api/
  stanchion scaffold routes spec.yaml --types-only --output src/types/
  stanchion scaffold routes openapi.yaml --framework koa --output src/routes/ --check   (CI: exit 1 on drift)
  stanchion scaffold routes openapi.yaml --framework fastify --output mock/ --mock     (a mock server, like Prism)

\b
Generated files live under generated/ and are rewritten on every run (never edit them); handlers/ and the
security hooks are yours and are kept. A handler not written yet answers 501 problem details; in mock mode
(--mock, or STANCHION_MOCK=1 at run time) it answers the spec's examples, one per documented status
(Prefer: code=NNN picks one). Verify with 'stanchion scaffold verify DIR --spec SPEC'. Inside a project made by 'stanchion scaffold new' (it has
.stanchion.json), --output defaults to the folder its app mounts (src/api/ for express-typescript,
app/api_generated/ for fastapi) and --framework to the project's. Exit codes: 0 ok, 1 drift (--check), 2 bad spec or flags.
""",
)
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--framework",
    type=click.Choice(FRAMEWORKS),
    default=None,
    help="Target framework (express, fastify, koa: TypeScript + zod; fastapi: Python + pydantic v2).",
)
@click.option(
    "--output",
    "output_dir",
    default=None,
    type=click.Path(),
    help="Folder to write (default inside a 'scaffold new' project: the folder its app mounts).",
)
@click.option(
    "--types-only", is_flag=True, help="Only the request/response types (TypeScript, or Python with fastapi)."
)
@click.option(
    "--mock",
    is_flag=True,
    help="Handlers not written yet answer the spec's examples (default: 501; STANCHION_MOCK=0/1 overrides).",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 when the output has drifted from the spec."
)
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    spec: str,
    framework: str | None,
    output_dir: str | None,
    types_only: bool,
    mock: bool,
    check: bool,
    json_mode: bool,
) -> None:
    """Generate typed routes, runtime validators, types and handler stubs from an OpenAPI 3.0/3.1 spec."""
    from stanchion.scaffold.routes.generate import generate

    out = output(ctx, json_mode)
    result = generate(spec, framework, output_dir, types_only=types_only, check=check, mock=mock)
    output_dir = result.output
    for warning in result.warnings:
        out.warn(warning)
    if check:
        text = f"{output_dir} matches {spec} ({counted(result.operations, 'operation')})"
    else:
        lines = [
            f"{counted(result.operations, 'operation')} from {spec} -> {output_dir} ({result.framework})"
        ]
        if result.written:
            lines.append(f"  wrote {counted(len(result.written), 'file')}")
        if result.added_handlers:
            lines.append(f"  new handlers: {', '.join(result.added_handlers)}")
        if result.kept:
            lines.append(f"  kept {counted(len(result.kept), 'file')} you own")
        for changed in result.changed_signatures:
            lines.append(
                f"  signature changed: {changed}: your handler was kept; review it against the new types"
            )
        text = "\n".join(lines)
    out.result(result.to_json(), text)
    raise_for_exit(0)
