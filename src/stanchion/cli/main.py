"""The ``stanchion`` root command: global flags, lazy sub-command groups, and error-to-exit-code mapping."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from stanchion import __version__
from stanchion.errors import ExitCode, StanchionError
from stanchion.output import Output

#: name -> (module, attribute, one-line help). A tool appears once its module exists.
#: The module's attribute is a click command or group; it is imported only when invoked.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "scaffold": (
        "stanchion.cli.scaffold",
        "group",
        "Scaffold API projects, code from OpenAPI specs, and verify them.",
    ),
    "db": (
        "stanchion.cli.db",
        "group",
        "Migrations, schema analysis, index advice, schema diff and migration lint.",
    ),
    "load": (
        "stanchion.cli.load",
        "command",
        "HTTP load tests with exact percentiles, reports and CI gates.",
    ),
    "perf": (
        "stanchion.cli.perf",
        "command",
        "Load endpoints while reading pg_stat_statements: N+1, slow queries, cache candidates.",
    ),
    "probe": (
        "stanchion.cli.probe",
        "command",
        "Check a running API for security practice from outside, within a request budget.",
    ),
    "decide": (
        "stanchion.cli.decide",
        "group",
        "Pick a backend profile from stated constraints; the forcing-question grill.",
    ),
    "skill": (
        "stanchion.cli.skill",
        "group",
        "Install the backend-engineer agent skill and its classic scripts.",
    ),
    "config": (
        "stanchion.cli.config_cmd",
        "command",
        "Show the effective configuration and where each value came from.",
    ),
}

EPILOG = """\b
Examples:
  stanchion db create add_users_table      write a new migration file
  stanchion db migrate                     apply pending migrations (SQLite by default)
  stanchion load http://127.0.0.1:8000/health -n 1000 -c 20
  stanchion perf http://127.0.0.1:8000 --endpoint /api/users --database-url postgresql://app@127.0.0.1/app
  stanchion config --json                  the effective configuration

Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error, 3 environment error, 130 interrupted.
"""


class AppState:
    """What the global flags decide, handed to every sub-command through ``ctx.obj``.

    ``main`` creates it before parsing, so the flags given anywhere on the line (``--json``, ``--debug``,
    ``-q`` before or after the sub-command) are known when an error has to be rendered."""

    def __init__(self, debug: bool = False, json_mode: bool = False, quiet: bool = False) -> None:
        self.debug = debug
        self.json_mode = json_mode
        self.quiet = quiet

    def output(self, json_mode: bool = False) -> Output:
        return Output(json_mode=self.json_mode or json_mode, debug=self.debug, quiet=self.quiet)


def _set_flag(name: str) -> Any:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            root_obj = ctx.find_root().obj
            if isinstance(root_obj, AppState):
                setattr(root_obj, name, True)

    return callback


#: The global flags every sub-command also accepts after its name (``stanchion db status --json -q``).
GLOBAL_FLAGS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("--debug",), "debug", "Show tracebacks for errors."),
    (("--json",), "json_mode", "Print one JSON document on stdout; text goes to stderr."),
    (("-q", "--quiet"), "quiet", "Only results and errors; no informational lines."),
)


def add_global_flags(command: click.Command) -> click.Command:
    """Give ``command`` (and, for a group, every sub-command) the global flags it does not declare itself;
    a command's own ``--json`` (``cli.common.json_option``) sets the same state."""
    if getattr(command, "_stanchion_globals", False):
        return command
    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for opts, name, help_text in GLOBAL_FLAGS:
        free = tuple(opt for opt in opts if opt not in taken)
        if free and len(free) == len(opts):
            command.params.append(
                click.Option(
                    free,
                    is_flag=True,
                    expose_value=False,
                    callback=_set_flag(name),
                    help=help_text,
                )
            )
    command._stanchion_globals = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_flags(sub)
    return command


class LazyGroup(click.Group):
    """A group whose sub-commands are imported only when one of them runs (keeps ``--help`` fast)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [
            name for name, (module, _, _) in COMMANDS.items() if importlib.util.find_spec(module) is not None
        ]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or importlib.util.find_spec(entry[0]) is None:
            return None
        module = importlib.import_module(entry[0])
        command: Any = getattr(module, entry[1])
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry[0]}.{entry[1]} is not a click command")
        return add_global_flags(command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="stanchion", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, envvar="STANCHION_DEBUG", help="Show tracebacks for errors.")
@click.option(
    "--json", "json_mode", is_flag=True, help="Print one JSON document on stdout; text goes to stderr."
)
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors; no informational lines.")
@click.pass_context
def root(ctx: click.Context, debug: bool, json_mode: bool, quiet: bool) -> None:
    """Stanchion: scaffold APIs, evolve schemas safely, load-test, and decide, from one command.

    --json, --debug and -q may also be given after the sub-command.
    """
    if not isinstance(ctx.obj, AppState):
        ctx.obj = AppState()
    ctx.obj.debug = ctx.obj.debug or debug
    ctx.obj.json_mode = ctx.obj.json_mode or json_mode
    ctx.obj.quiet = ctx.obj.quiet or quiet


def _flag_given(argv: Sequence[str], *names: str) -> bool:
    """``names`` among the options of ``argv`` (before a ``--``): how an error found while parsing, before
    the flag's own callback ran, still knows it."""
    for item in argv:
        if item == "--":
            return False
        if item in names:
            return True
    return False


def _debug_requested(argv: Sequence[str]) -> bool:
    return _flag_given(argv, "--debug") or os.environ.get("STANCHION_DEBUG", "") not in ("", "0", "false")


def _usage_hint(exc: click.UsageError) -> str:
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else "stanchion"
    return f"run '{path} --help' to see the commands and options"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises, but for SystemExit from ``sys.exit``).

    An error is one line plus a hint on stderr; under ``--json`` (anywhere on the line) stdout also gets one
    document, ``{"error": {"message", "hint", "exit_code"}}``."""
    args = list(sys.argv[1:] if argv is None else argv)
    state = AppState()

    def fail(message: str, hint: str | None, code: ExitCode | int) -> int:
        json_mode = state.json_mode or _flag_given(args, "--json")
        Output(json_mode=json_mode).failure(message, hint, int(code))
        return int(code)

    def trace() -> None:
        if state.debug or _debug_requested(args):
            import traceback

            traceback.print_exc()

    try:
        result = root.main(args=args, prog_name="stanchion", standalone_mode=False, obj=state)
    except click.UsageError as exc:
        message = exc.format_message().splitlines()[0] if exc.format_message() else "invalid usage"
        return fail(message, _usage_hint(exc), ExitCode.USAGE)
    except click.ClickException as exc:
        return fail(exc.format_message(), None, exc.exit_code or ExitCode.USAGE)
    except (click.Abort, KeyboardInterrupt):
        return fail("interrupted", None, ExitCode.INTERRUPTED)
    except StanchionError as exc:
        trace()
        return fail(exc.message, exc.hint, exc.exit_code)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as exc:
        trace()
        return fail(
            f"internal error: {type(exc).__name__}: {exc}",
            "this is a defect in Stanchion; rerun with --debug for the traceback and report it",
            ExitCode.INTERNAL,
        )
    if isinstance(result, bool):
        return int(not result)
    return int(result or 0)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
