"""What every sub-command shares: its Output, its Settings, the common options and confirmation.

A sub-command is a thin adapter (click; see docs/architecture.md for why not Typer)::

    @group.command()
    @json_option
    @database_url_option
    @click.pass_context
    def status(ctx: click.Context, json_mode: bool, database_url: str | None) -> None:
        out = output(ctx, json_mode)
        settings = settings_for(database_url=database_url)
        result = core.status(settings.database_url)        # the core returns a result object
        out.result(result.to_json(), render(result))        # the CLI renders it
        raise_for_exit(result.exit_code)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from stanchion.config import Settings, load_settings
from stanchion.errors import ExitCode, UsageError
from stanchion.output import Output

F = TypeVar("F", bound=Callable[..., Any])


def _json_given(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:  # known to the root too, so an error after this point is rendered as JSON
        state(ctx).json_mode = True
    return value


json_option: Callable[[F], F] = click.option(
    "--json",
    "json_mode",
    is_flag=True,
    callback=_json_given,
    help="Print one JSON document on stdout; text goes to stderr.",
)
database_url_option: Callable[[F], F] = click.option(
    "--database-url",
    "database_url",
    default=None,
    metavar="URL",
    help="Database URL (default: DATABASE_URL, then config, then sqlite:///stanchion.db).",
)
yes_option: Callable[[F], F] = click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")


def state(ctx: click.Context) -> Any:
    """The root's AppState (see stanchion.cli.main); a default one when a command runs on its own."""
    from stanchion.cli.main import AppState

    root_obj = ctx.find_root().obj
    return root_obj if isinstance(root_obj, AppState) else AppState()


def output(ctx: click.Context, json_mode: bool = False) -> Output:
    """The Output for this invocation: ``--json`` at the root or on the command turns JSON mode on."""
    result: Output = state(ctx).output(json_mode)
    return result


def settings_for(**flags: Any) -> Settings:
    """Settings with the given flags on top (``None`` means the flag was not given)."""
    return load_settings(flags)


def raise_for_exit(code: int | ExitCode) -> None:
    """End the command with ``code`` when it is not 0 (the report has already been shown)."""
    if int(code) != 0:
        raise click.exceptions.Exit(int(code))


def check_output(path: str | Path | None, label: str, *, folder: bool) -> Path | None:
    """Check an output path before the command starts its work (see :mod:`stanchion.paths`).

    Every option that names a path a command writes goes through this (``None``: the option was not
    given). A path that cannot be written raises UsageError (exit 2: a file where a folder is needed)
    or EnvironmentProblem (exit 3: the folder refuses new entries), one line with a hint.
    """
    if path is None:
        return None
    from stanchion.paths import check_output_path

    return check_output_path(path, folder=folder, label=label)


def confirm(out: Output, question: str, yes: bool) -> None:
    """Ask on a terminal; elsewhere require ``--yes``. Raises UsageError when not confirmed."""
    if yes:
        return
    if not out.interactive:
        raise UsageError(
            f"{question.rstrip('?')}: confirmation needed", "pass --yes to confirm when not on a terminal"
        )
    if not click.confirm(question, default=False, err=True):
        raise UsageError("not confirmed; nothing was changed")
