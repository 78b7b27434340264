"""``stanchion db``: migrations (create, migrate, rollback, status, redo, repair, apply).

Schema analysis, lint, diff and index advice register their commands on :data:`group` from
``stanchion.cli.db_schema``. Commands here are thin: they call :mod:`stanchion.db` and render its results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from stanchion.cli.common import (
    confirm,
    database_url_option,
    json_option,
    output,
    raise_for_exit,
    yes_option,
)
from stanchion.text import counted

F = TypeVar("F", bound=Callable[..., Any])

dir_option: Callable[[F], F] = click.option(
    "--dir",
    "directory",
    default=None,
    metavar="DIR",
    help="Migrations folder (default: migrations_dir, 'migrations').",
)
format_option: Callable[[F], F] = click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "stanchion", "dbmate", "golang-migrate", "flyway", "prisma"]),
    default=None,
    help="Layout of the migrations folder (default: auto-detect).",
)


@click.group("db", context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """Migrations, schema analysis, index advice, schema diff and migration lint.

    \b
    Examples:
      stanchion db create add_users_table
      stanchion db migrate --database-url postgresql://app@127.0.0.1/app
      stanchion db status --json
      stanchion db rollback --steps 2 --yes
    """


@group.command("create")
@click.argument("name")
@dir_option
@format_option
@click.option("--no-transaction", is_flag=True, help="Mark the migration to run outside a transaction.")
@json_option
@click.pass_context
def create_command(
    ctx: click.Context,
    name: str,
    directory: str | None,
    fmt: str | None,
    no_transaction: bool,
    json_mode: bool,
) -> None:
    """Write a new, empty migration: YYYYMMDDHHMMSS_NAME.sql with up and down sections.

    \b
    The file is dbmate-compatible; in a folder of another layout (golang-migrate,
    flyway, prisma) the new migration follows that layout. Its sections are empty:
    'db migrate' refuses it (exit 2) until the up section has SQL.

    \b
    Examples:
      stanchion db create add_users_table
      stanchion db create add_email_index --no-transaction   # CREATE INDEX CONCURRENTLY
      stanchion db create init --dir db/migrations
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    result = core.create(name, directory=directory, format=fmt, no_transaction=no_transaction)
    out.result(result.to_json(), "\n".join(f"created {path}" for path in result.files))


dry_run_option: Callable[[F], F] = click.option(
    "--dry-run", is_flag=True, help="Print the SQL that would run and change nothing."
)


_TIMEOUTS_KEY = "stanchion.db.timeouts"


def _collect_timeout(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_TIMEOUTS_KEY, {})[param.name] = value
    return value


def timeouts(ctx: click.Context) -> dict[str, Any]:
    """The values of the options :func:`timeout_options` added, as keyword arguments for the core."""
    return dict(ctx.meta.get(_TIMEOUTS_KEY, {}))


def timeout_options(func: F) -> F:
    """--lock-timeout, --statement-timeout, --lock-retries and --lock-wait, handed to the command as one
    group: pass ``**timeouts(ctx)`` to the core."""
    shared: dict[str, Any] = {"expose_value": False, "callback": _collect_timeout}
    func = click.option(
        "--lock-wait",
        type=float,
        default=600.0,
        show_default=True,
        metavar="SECONDS",
        help="How long to wait for another migration run to finish.",
        **shared,
    )(func)
    func = click.option(
        "--lock-retries",
        type=click.IntRange(0, 20),
        default=3,
        show_default=True,
        help="Retries (with backoff) of a migration that hit the lock timeout.",
        **shared,
    )(func)
    func = click.option(
        "--statement-timeout",
        default=None,
        metavar="DURATION",
        help="Per-statement limit on PostgreSQL and MySQL, e.g. 30s (default: config statement_timeout).",
        **shared,
    )(func)
    func = click.option(
        "--lock-timeout",
        default=None,
        metavar="DURATION",
        help="Longest wait for a table lock on PostgreSQL and MySQL (default: config lock_timeout, 5s).",
        **shared,
    )(func)
    return func


@contextmanager
def _notifier(out: Any) -> Iterator[Callable[[str], None]]:
    """Where the core's progress lines go: a transient progress line on a terminal, plain lines elsewhere
    (CI logs keep every 'applying ...' line)."""
    if not out.stderr_tty or out.json_mode or out.quiet:
        yield lambda text: out.info(text)
        return
    with out.progress("migrating") as bar:
        yield bar.update


def _render_run(result: Any, verbose: bool = False) -> str:
    """The text of a run; ``verbose`` adds each statement that ran, with its time."""
    if result.dry_run:
        if not result.steps:
            return "-- nothing to run"
        blocks = []
        for step in result.steps:
            mode = "in a transaction" if step.transaction else "without a transaction"
            start = f", from statement {step.resumed_at}" if step.resumed_at else ""
            head = f"-- {step.version}_{step.name}: {step.direction} ({mode}{start}) from {step.file}"
            blocks.append("\n".join([head, *(f"{sql};" for sql in step.statements)]))
        return "\n\n".join(blocks)
    if not result.steps:
        return {
            "migrate": "nothing to apply: the database is up to date",
            "rollback": "nothing to roll back",
        }.get(result.action, "nothing to do")
    total = sum(step.duration_ms for step in result.steps)
    lines = []
    for s in result.steps:
        verb = "applied" if s.direction == "up" else "rolled back"
        lines.append(f"{verb} {s.version}_{s.name} ({s.duration_ms:.0f} ms)")
        if verbose:
            for number, (sql, ms) in enumerate(s.timed_statements(), 1):
                took = "skipped (ran before the resume)" if ms is None else f"{ms:.1f} ms"
                lines.append(f"  [{number}] {took}: {' '.join(sql.split())}")
    lines.append(f"{counted(len(result.steps), 'migration step')} in {total:.0f} ms on {result.database}")
    return "\n".join(lines)


def _finish_run(out: Any, result: Any, verbose: bool = False) -> None:
    for warning in result.warnings:
        out.warn(warning)
    out.result(result.to_json(), _render_run(result, verbose))


verbose_option: Callable[[F], F] = click.option(
    "-v", "--verbose", is_flag=True, help="Also show each statement that ran, with its time."
)


@group.command("migrate")
@database_url_option
@dir_option
@format_option
@click.option(
    "--to", "to", default=None, metavar="VERSION", help="Apply pending migrations up to this version."
)
@dry_run_option
@click.option("--resume", is_flag=True, help="Continue a failed or interrupted migration at its statement.")
@click.option(
    "--allow-out-of-order", is_flag=True, help="Apply pending migrations older than the latest applied."
)
@timeout_options
@verbose_option
@yes_option
@json_option
@click.pass_context
def migrate_command(
    ctx: click.Context,
    database_url: str | None,
    directory: str | None,
    fmt: str | None,
    to: str | None,
    dry_run: bool,
    resume: bool,
    allow_out_of_order: bool,
    verbose: bool,
    yes: bool,
    json_mode: bool,
) -> None:
    """Apply pending migrations in order, each in its own transaction.

    \b
    A migration marked '-- migrate:up transaction:false' runs outside a transaction
    (CREATE INDEX CONCURRENTLY). Concurrent runs wait for one another (advisory lock
    on PostgreSQL, GET_LOCK on MySQL, an exclusive file lock on SQLite).
    Every pending migration is checked before the first runs: an up section with
    no SQL (only comments, such as the 'db create' template) or SQL the database
    cannot parse refuses the whole plan, naming file and line; nothing runs.
    Exit codes: 0 applied or up to date, 1 a migration failed or a check refused
    (edited applied migration, failed migration), 2 bad input (including an empty
    up section or unparsable SQL), 3 database unreachable.

    \b
    Examples:
      stanchion db migrate
      stanchion db migrate --dry-run
      stanchion db migrate --verbose        each statement and its time
      stanchion db migrate --to 20240102030405 --database-url postgresql://app@127.0.0.1/app
      stanchion db migrate --lock-timeout 2s --statement-timeout 5min
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    if not dry_run and not yes and out.interactive:
        plan = core.migrate(
            database_url,
            directory=directory,
            format=fmt,
            to=to,
            dry_run=True,
            resume=resume,
            allow_out_of_order=allow_out_of_order,
        )
        if plan.steps and not plan.database.startswith("sqlite"):
            out.info(_render_run(plan))
            confirm(out, f"apply {counted(len(plan.steps), 'migration')} to {plan.database}?", yes)
    with _notifier(out) as notify:
        result = core.migrate(
            database_url,
            directory=directory,
            format=fmt,
            to=to,
            dry_run=dry_run,
            resume=resume,
            allow_out_of_order=allow_out_of_order,
            **timeouts(ctx),
            notify=notify,
        )
    _finish_run(out, result, verbose)


@group.command("rollback")
@database_url_option
@dir_option
@format_option
@click.option("--steps", type=int, default=None, help="How many migrations to roll back (default 1).")
@click.option(
    "--to", "to", default=None, metavar="VERSION", help="Roll back every migration newer than VERSION."
)
@dry_run_option
@timeout_options
@verbose_option
@yes_option
@json_option
@click.pass_context
def rollback_command(
    ctx: click.Context,
    database_url: str | None,
    directory: str | None,
    fmt: str | None,
    steps: int | None,
    to: str | None,
    dry_run: bool,
    verbose: bool,
    yes: bool,
    json_mode: bool,
) -> None:
    """Run down sections of applied migrations, newest first.

    \b
    Refuses (nothing rolled back) when a targeted migration has no down section.
    Asks for confirmation on a terminal; elsewhere pass --yes.

    \b
    Examples:
      stanchion db rollback --dry-run
      stanchion db rollback --steps 2 --yes
      stanchion db rollback --to 20240101000000 --yes
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    common: dict[str, Any] = {"directory": directory, "format": fmt, "steps": steps, "to": to}
    if not dry_run:
        plan = core.rollback(database_url, dry_run=True, **common)
        if not plan.steps:
            _finish_run(out, plan.__class__("rollback", plan.database, False))
            return
        if out.interactive and not yes:
            out.info(_render_run(plan))
        names = ", ".join(f"{s.version}_{s.name}" for s in plan.steps)
        confirm(out, f"roll back {names} on {plan.database}?", yes)
    with _notifier(out) as notify:
        result = core.rollback(
            database_url,
            dry_run=dry_run,
            **timeouts(ctx),
            notify=notify,
            **common,
        )
    _finish_run(out, result, verbose)


@group.command("redo")
@database_url_option
@dir_option
@format_option
@dry_run_option
@timeout_options
@yes_option
@json_option
@click.pass_context
def redo_command(
    ctx: click.Context,
    database_url: str | None,
    directory: str | None,
    fmt: str | None,
    dry_run: bool,
    yes: bool,
    json_mode: bool,
) -> None:
    """Roll back the latest migration and apply it again (while writing it).

    \b
    Examples:
      stanchion db redo --yes
      stanchion db redo --dry-run
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    if not dry_run:
        confirm(out, "roll back the latest migration and apply it again?", yes)
    with _notifier(out) as notify:
        result = core.redo(
            database_url,
            directory=directory,
            format=fmt,
            dry_run=dry_run,
            **timeouts(ctx),
            notify=notify,
        )
    _finish_run(out, result)


@group.command("status")
@database_url_option
@dir_option
@format_option
@json_option
@click.pass_context
def status_command(
    ctx: click.Context, database_url: str | None, directory: str | None, fmt: str | None, json_mode: bool
) -> None:
    """Applied, pending, changed, missing, out-of-order, failed and interrupted migrations.

    \b
    Exit 1 when anything needs attention (changed, missing, out of order, failed,
    interrupted); 0 when everything is applied or merely pending.

    \b
    Examples:
      stanchion db status
      stanchion db status --json | jq .summary
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    result = core.status(database_url, directory=directory, format=fmt)
    lines = [f"{result.database}  ({result.directory}, {result.layout} layout)"]
    for e in result.entries:
        extra = []
        if e.detail:
            extra.append(e.detail)
        if e.statement is not None:
            extra.append(f"at statement {e.statement}")
        if e.error:
            extra.append(e.error)
        if e.applied_at and e.state == "applied":
            extra.append(f"{e.applied_at} by {e.applied_by}")
        lines.append(f"  {e.state:<12} {e.version}_{e.name}" + (f"  ({'; '.join(extra)})" if extra else ""))
    summary = result.to_json()["summary"]
    lines.append(
        ", ".join(f"{count} {state.replace('_', ' ')}" for state, count in summary.items() if count)
        or "no migrations"
    )
    if result.lock_held:
        lines.append("a migration run is in progress right now (it holds the migration lock)")
    lines += [f"needs attention: {line}" for line in result.advice()]
    out.result(result.to_json(), "\n".join(lines))
    raise_for_exit(result.exit_code)


@group.command("repair")
@database_url_option
@dir_option
@format_option
@click.option(
    "--forget", multiple=True, metavar="VERSION", help="Delete a failed or interrupted migration's record."
)
@click.option(
    "--mark-applied", multiple=True, metavar="VERSION", help="Record a failed migration as applied."
)
@dry_run_option
@yes_option
@json_option
@click.pass_context
def repair_command(
    ctx: click.Context,
    database_url: str | None,
    directory: str | None,
    fmt: str | None,
    forget: tuple[str, ...],
    mark_applied: tuple[str, ...],
    dry_run: bool,
    yes: bool,
    json_mode: bool,
) -> None:
    """Accept edited applied migrations, or resolve failed and interrupted ones.

    \b
    Without options: for each applied migration whose file changed, shows the
    diff and re-records the file as it is now. That says the database already
    matches the file: use it for edits that change nothing (comments, layout)
    or after applying the difference by hand; otherwise revert the edit and put
    the change in a new migration. A migration recorded with an empty up
    section (nothing ever ran) is never accepted this way: repair forgets its
    record instead, so the next 'db migrate' runs the SQL now in the file.

    \b
    --forget V deletes V's record (a failed or interrupted migration you undid
    by hand; 'db migrate' runs it from the start). --mark-applied V records V
    as applied (you finished it by hand). Asks for confirmation (or --yes).

    \b
    Examples:
      stanchion db repair --dry-run
      stanchion db repair --yes
      stanchion db repair --forget 20240102030405 --yes
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    common: dict[str, Any] = {
        "directory": directory,
        "format": fmt,
        "forget": forget,
        "mark_applied": mark_applied,
    }
    plan = core.repair(database_url, dry_run=True, **common)
    text = _render_repair(plan)
    if dry_run or not plan.changes:
        out.result(plan.to_json(), text)
        return
    if out.interactive and not yes:
        out.info(text)
    confirm(out, f"apply {counted(len(plan.changes), 'repair')} to the history table?", yes)
    result = core.repair(database_url, **common)
    out.result(result.to_json(), _render_repair(result))


def _render_repair(result: Any) -> str:
    if not result.changes:
        return "nothing to repair: every applied migration matches its file"
    lines = []
    verb = "would" if result.dry_run else "did"
    for change in result.changes:
        what = {"checksum": "re-record checksum of", "forget": "forget", "mark_applied": "mark applied"}[
            change.action
        ]
        lines.append(f"{verb} {what} {change.version}_{change.name}")
        if change.reason:
            lines.append(f"  {change.reason}")
        if change.diff:
            lines.append(change.diff.rstrip("\n"))
    return "\n".join(lines)


@group.command("apply")
@click.argument("file", type=click.Path(dir_okay=False))
@database_url_option
@dry_run_option
@timeout_options
@json_option
@click.pass_context
def apply_command(
    ctx: click.Context,
    file: str,
    database_url: str | None,
    dry_run: bool,
    json_mode: bool,
) -> None:
    """Apply one given migration file and record it in the history table.

    \b
    The file may be in any supported layout, or plain SQL (its name is the version).

    \b
    Examples:
      stanchion db apply migrations/20240102030405_add_index.sql
      stanchion db apply hotfix.sql --dry-run --database-url postgresql://app@127.0.0.1/app
    """
    import stanchion.db as core

    out = output(ctx, json_mode)
    with _notifier(out) as notify:
        result = core.apply(
            file,
            database_url,
            dry_run=dry_run,
            **timeouts(ctx),
            notify=notify,
        )
    _finish_run(out, result)


from stanchion.cli.db_schema import register  # noqa: E402 - analyze, suggest-indexes, diff, lint, rules

register(group)
