"""The db tool: migrations, schema analysis, index advice, schema diff and migration lint.

Everything here is core: it returns result objects and raises :class:`stanchion.errors.StanchionError`;
it never prints, prompts or exits. The migration API::

    import stanchion.db as db
    db.create("add_users_table")                      # -> CreateResult
    db.migrate()                                       # DATABASE_URL / config / sqlite:///stanchion.db
    db.rollback(steps=2)
    db.status().needs_attention
    db.apply("migrations/001_init.sql", database_url=url, dry_run=True)

Every function takes ``database_url`` (default: settings), ``directory`` (default: ``migrations_dir``)
and ``format`` (default: ``migrations_format``); the heavy parts are imported on first call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.db.migrations.results import CreateResult, RepairResult, RunResult, StatusResult

__all__ = ["apply", "create", "migrate", "redo", "repair", "rollback", "status"]

Notify = Callable[[str], None]


def create(
    name: str,
    *,
    directory: str | Path | None = None,
    format: str | None = None,
    no_transaction: bool = False,
) -> CreateResult:
    """Write a new migration file (timestamped, dbmate-compatible by default) and return its path."""
    from stanchion.db.migrations import files
    from stanchion.db.migrations.options import resolve_directory
    from stanchion.db.migrations.results import CreateResult

    folder, layout = resolve_directory(directory, format)
    written = files.create(folder, name, layout, no_transaction)
    _, migrations = files.load(folder, layout)
    used = next(
        (m.layout for m in migrations if m.path in written), layout if layout != "auto" else "stanchion"
    )
    return CreateResult(files=written, layout=used)


def migrate(
    database_url: str | None = None,
    *,
    directory: str | Path | None = None,
    format: str | None = None,
    to: str | None = None,
    dry_run: bool = False,
    resume: bool = False,
    allow_out_of_order: bool = False,
    lock_timeout: str | None = None,
    statement_timeout: str | None = None,
    lock_retries: int = 3,
    lock_wait: float = 600.0,
    notify: Notify | None = None,
) -> RunResult:
    """Apply pending migrations in order (up to ``to``), each in its own transaction unless marked not to."""
    from stanchion.db.migrations.runner import Runner

    with Runner.open(
        database_url, directory, format, lock_timeout, statement_timeout, lock_retries, lock_wait, notify
    ) as runner:
        return runner.migrate(to=to, dry_run=dry_run, resume=resume, allow_out_of_order=allow_out_of_order)


def rollback(
    database_url: str | None = None,
    *,
    directory: str | Path | None = None,
    format: str | None = None,
    steps: int | None = None,
    to: str | None = None,
    dry_run: bool = False,
    lock_timeout: str | None = None,
    statement_timeout: str | None = None,
    lock_retries: int = 3,
    lock_wait: float = 600.0,
    notify: Notify | None = None,
) -> RunResult:
    """Run down sections of the latest ``steps`` migrations (default 1), or of those newer than ``to``."""
    from stanchion.db.migrations.runner import Runner

    with Runner.open(
        database_url, directory, format, lock_timeout, statement_timeout, lock_retries, lock_wait, notify
    ) as runner:
        return runner.rollback(steps=steps, to=to, dry_run=dry_run)


def redo(
    database_url: str | None = None,
    *,
    directory: str | Path | None = None,
    format: str | None = None,
    dry_run: bool = False,
    lock_timeout: str | None = None,
    statement_timeout: str | None = None,
    lock_retries: int = 3,
    lock_wait: float = 600.0,
    notify: Notify | None = None,
) -> RunResult:
    """Roll back the latest migration and apply it again."""
    from stanchion.db.migrations.runner import Runner

    with Runner.open(
        database_url, directory, format, lock_timeout, statement_timeout, lock_retries, lock_wait, notify
    ) as runner:
        return runner.redo(dry_run=dry_run)


def status(
    database_url: str | None = None,
    *,
    directory: str | Path | None = None,
    format: str | None = None,
) -> StatusResult:
    """Applied, pending, changed, missing, out-of-order, failed and interrupted migrations."""
    from stanchion.db.migrations.runner import Runner

    with Runner.open(database_url, directory, format) as runner:
        return runner.status()


def repair(
    database_url: str | None = None,
    *,
    directory: str | Path | None = None,
    format: str | None = None,
    dry_run: bool = False,
    forget: Sequence[str] = (),
    mark_applied: Sequence[str] = (),
    lock_wait: float = 600.0,
) -> RepairResult:
    """Re-record the checksums of changed migrations (``dry_run`` shows what would change), or resolve a
    failed or interrupted migration by forgetting it (it runs again) or marking it applied."""
    from stanchion.db.migrations.runner import Runner

    with Runner.open(database_url, directory, format, lock_wait=lock_wait) as runner:
        return runner.repair(dry_run=dry_run, forget=list(forget), mark_applied=list(mark_applied))


def apply(
    file: str | Path,
    database_url: str | None = None,
    *,
    dry_run: bool = False,
    lock_timeout: str | None = None,
    statement_timeout: str | None = None,
    lock_retries: int = 3,
    lock_wait: float = 600.0,
    notify: Notify | None = None,
) -> RunResult:
    """Apply one given migration file (any layout, or plain SQL) and record it in the history table."""
    from stanchion.db.migrations.runner import Runner

    with Runner.open(
        database_url,
        None,
        "auto",
        lock_timeout,
        statement_timeout,
        lock_retries,
        lock_wait,
        notify,
        need_directory=False,
    ) as runner:
        return runner.apply(Path(file), dry_run=dry_run)
