"""Entry point of the classic scripts in the skill folder: translate their flags, run the stanchion command.

The translation (``stanchion.skill.classic``) asks :class:`CliCapabilities` what this Stanchion offers,
answered from the root group's own commands, so a classic form works the moment its command lands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from stanchion.cli.main import main, root
from stanchion.errors import ExitCode, StanchionError
from stanchion.output import Output


class CliCapabilities:
    """What the installed CLI has, read from its click commands (each tool's module imported on demand)."""

    def _find(self, path: Sequence[str]) -> click.Command | None:
        ctx = click.Context(root)
        command: click.Command | None = root
        for name in path:
            if not isinstance(command, click.Group):
                return None
            command = command.get_command(ctx, name)
        return command

    def command(self, path: Sequence[str]) -> bool:
        return self._find(path) is not None

    def _param(self, path: Sequence[str], name: str) -> click.Parameter | None:
        command = self._find(path)
        for param in command.params if command is not None else []:
            if name in param.opts or name in param.secondary_opts:
                return param
        return None

    def option(self, path: Sequence[str], name: str) -> bool:
        return self._param(path, name) is not None

    def default(self, path: Sequence[str], name: str) -> object:
        param = self._param(path, name)
        return None if param is None else param.default

    def stacks(self) -> Sequence[str]:
        from stanchion.scaffold.stacks import STACKS

        return tuple(STACKS)


def run(script: str, argv: Sequence[str] | None = None) -> int:
    """Run the classic ``script`` (its file name decides the mapping) with ``argv`` (default: sys.argv[1:])."""
    from stanchion.skill.classic import help_requested, help_text, plan
    from stanchion.skill.classic_help import HELP

    args = list(sys.argv[1:] if argv is None else argv)
    name = Path(script).name
    if help_requested(args) and name in HELP:
        try:
            Output().text(help_text(name).rstrip("\n"))
        except BrokenPipeError:  # `SCRIPT --help | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.OK)
    try:
        steps = plan(name, args, CliCapabilities(), interactive=sys.stdin.isatty())
    except StanchionError as exc:
        Output(json_mode="--json" in args).failure(exc.message, exc.hint, int(exc.exit_code))
        return int(exc.exit_code)
    for step in steps:
        if step.write is not None:
            target = Path(step.write[0])
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(step.write[1], encoding="utf-8")
            except OSError as exc:
                Output(json_mode="--json" in args).failure(
                    f"cannot write {target}: {exc.strerror}",
                    "check the folder is writable",
                    ExitCode.ENVIRONMENT,
                )
                return int(ExitCode.ENVIRONMENT)
        here = os.getcwd()
        try:
            if step.cwd is not None:
                os.chdir(step.cwd)
            code = main(step.argv)
        finally:
            os.chdir(here)
        if code != 0:
            return code
    return int(ExitCode.OK)
