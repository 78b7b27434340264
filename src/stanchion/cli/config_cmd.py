"""``stanchion config``: the effective configuration, each value with its source, passwords masked."""

from __future__ import annotations

import click

from stanchion.cli.common import json_option, output
from stanchion.config import load_settings
from stanchion.redact import mask_url


@click.command("config")
@json_option
@click.pass_context
def command(ctx: click.Context, json_mode: bool) -> None:
    """Show the effective configuration and where each value came from.

    \b
    Sources, highest first: flags, environment (DATABASE_URL, STANCHION_<KEY>),
    stanchion.toml or [tool.stanchion] in pyproject.toml, defaults.

    \b
    Examples:
      stanchion config
      DATABASE_URL=postgresql://app:secret@db/app stanchion config --json
    """
    out = output(ctx, json_mode)
    settings = load_settings()
    shown = {key: mask_url(str(value)) if "url" in key else value for key, value in settings.values.items()}
    document = {
        "config_file": str(settings.config_file) if settings.config_file else None,
        "values": shown,
        "sources": dict(settings.sources),
        "sections": sorted(settings.sections),
    }
    width = max(len(key) for key in shown)
    lines = [f"config file: {document['config_file'] or '(none; defaults apply)'}"]
    lines += [f"{key:<{width}}  {value!s:<40}  ({settings.sources[key]})" for key, value in shown.items()]
    out.result(document, "\n".join(lines))
