"""Running one migration section: atomically where the database allows it, statement by statement
(with progress recorded) where it does not.

* Atomic (PostgreSQL and SQLite, unless the migration says ``transaction:false``): the statements and the
  history row commit together, so a failure or a killed runner leaves no trace.
* Tracked (no-transaction migrations, and every MySQL migration since MySQL commits DDL implicitly): the
  history row is written first as ``running`` and advanced statement by statement; a failure marks it
  ``failed`` with the statement it stopped at, and a killed runner leaves it ``running``, which ``status``
  reports as interrupted. ``migrate --resume`` continues at that statement.

A lock timeout (``--lock-timeout``) is retried a bounded number of times with backoff, so a migration
never queues behind a long transaction while blocking the traffic behind it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stanchion.db.dialects.base import Connection, Dialect, Statement, execute, line_of
from stanchion.db.migrations.files import Migration, checksum
from stanchion.db.migrations.history import History, Record
from stanchion.errors import CheckFailed, UsageError


class MigrationFailed(CheckFailed):
    """A statement of a migration failed; the message names file, line and the database's error."""


@dataclass
class Section:
    """The statements of one direction of one migration, and where they come from."""

    migration: Migration
    direction: str  # "up" | "down"
    statements: list[Statement]
    path: Path
    first_line: int
    transaction: bool

    def file_line(self, statement: Statement, offset: int | None = None) -> int:
        extra = line_of(statement.sql, offset) - 1 if offset is not None else 0
        return self.first_line + statement.line - 1 + extra


def split_section(dialect: Dialect, migration: Migration, direction: str) -> Section:
    """Split one section with the dialect's own rules; UsageError naming file and line when it cannot."""
    if direction == "up":
        text, path, first, transaction = (
            migration.up,
            migration.path,
            migration.up_line,
            migration.transaction,
        )
    else:
        text = migration.down or ""
        path = migration.down_path or migration.path
        first = migration.down_line
        transaction = migration.down_transaction
    try:
        statements = dialect.split(text)
    except UsageError as exc:
        raise UsageError(f"{path}: {exc.message}", exc.hint) from exc
    except Exception as exc:  # the PostgreSQL parser's own syntax error
        offset = getattr(exc, "offset", None)
        line = first + line_of(text, offset) - 1 if isinstance(offset, int) else first
        raise UsageError(
            f"{path}:{line}: {exc}; nothing was run or recorded",
            "fix the SQL; PostgreSQL's own parser rejected it",
        ) from exc
    statements = _strip_wrapping_transaction(statements)
    if migration.layout not in ("stanchion", "dbmate") and any(
        dialect.needs_no_transaction(s) for s in statements
    ):
        transaction = False
    return Section(migration, direction, statements, path, first, transaction)


def check_sections(dialect: Dialect, conn: Connection, sections: list[Section]) -> None:
    """Refuse a plan before any of it runs (UsageError, exit 2, naming file and line): an up section with
    no statement (only comments or blank lines, such as the template ``db create`` writes) would be
    recorded as applied while nothing ran, and a statement the database cannot parse would fail half-way
    through the plan. Every section is checked before the first one runs, so a bad third migration leaves
    the first two pending too."""
    for section in sections:
        if section.direction == "up" and not section.statements:
            raise UsageError(
                f"{section.path}:{section.first_line}: the up section of {section.migration.label} has no SQL "
                "(only comments or blank lines); nothing was run or recorded",
                "write the change's SQL into the up section (an empty migration would be recorded as "
                "applied with nothing run), or delete the file",
            )
        for statement in section.statements:
            problem = dialect.syntax_error(conn, statement)
            if problem is not None:
                text, line = problem
                raise UsageError(
                    f"{section.path}:{section.first_line + statement.line + line - 2}: {text}; "
                    "nothing was run or recorded",
                    f"fix the SQL; the database's own parser rejected statement "
                    f"{section.statements.index(statement) + 1} of {section.migration.label}",
                )


@dataclass
class Timing:
    """How long a run took: in total, and each statement in order (None for statements a resumed run
    skipped), in milliseconds."""

    total_ms: float = 0.0
    statement_ms: list[float | None] = field(default_factory=list)


def _first_word(statement: Statement) -> str:
    return statement.sql.split(None, 1)[0].upper().rstrip(";") if statement.sql.split() else ""


def _strip_wrapping_transaction(statements: list[Statement]) -> list[Statement]:
    """Drop an explicit BEGIN ... COMMIT around the whole script (other tools' files often have one):
    the runner opens the transaction itself."""
    if (
        len(statements) >= 2
        and _first_word(statements[0]) in ("BEGIN", "START")
        and _first_word(statements[-1]) in ("COMMIT", "END")
    ):
        second = statements[0].sql.split()[1:2]
        if _first_word(statements[0]) == "BEGIN" or [w.upper() for w in second] == ["TRANSACTION"]:
            return statements[1:-1]
    return statements


@dataclass
class Executor:
    dialect: Dialect
    conn: Connection
    history: History
    applied_by: str
    lock_timeout_ms: int | None = None
    statement_timeout_ms: int | None = None
    lock_retries: int = 3
    notify: Callable[[str], None] | None = None

    def _say(self, text: str) -> None:
        if self.notify is not None:
            self.notify(text)

    def _timeouts(self) -> None:
        for sql in self.dialect.timeout_statements(self.lock_timeout_ms, self.statement_timeout_ms):
            execute(self.conn, sql)

    def _reset_timeouts(self) -> None:
        if self.lock_timeout_ms is None and self.statement_timeout_ms is None:
            return
        for sql in self.dialect.reset_timeout_statements():
            execute(self.conn, sql)

    def _backoff(self, attempt: int, section: Section, statement: Statement) -> None:
        delay = min(0.25 * 2**attempt, 4.0)
        self._say(
            f"lock timeout at {section.path}:{section.file_line(statement)}; "
            f"retrying in {delay:g}s (attempt {attempt + 2} of {self.lock_retries + 1})"
        )
        time.sleep(delay)

    def _failure(self, section: Section, index: int, exc: BaseException, applied: str) -> MigrationFailed:
        statement = section.statements[index]
        line = section.file_line(statement, self.dialect.error_offset(exc))
        text = self.dialect.error_text(exc)
        hint = applied
        if section.transaction and self.dialect.needs_no_transaction(statement):
            hint += "; this statement cannot run in a transaction: mark the section '-- migrate:up transaction:false'"
        return MigrationFailed(
            f"{section.path}:{line}: {section.direction} migration {section.migration.label} failed at statement "
            f"{index + 1} of {len(section.statements)}: {text}",
            hint,
        )

    def record(self, migration: Migration, status: str, duration_ms: int, statement: int | None) -> Record:
        return Record(
            version=migration.version,
            name=migration.name,
            checksum=checksum(migration.up),
            status=status,
            applied_at=self.history.now(),
            duration_ms=duration_ms,
            applied_by=self.applied_by,
            statement=statement,
            error=None,
            up_sql=migration.up,
            down_sql=migration.down,
        )

    # -- atomic ------------------------------------------------------------------------------------
    def run_atomic(self, section: Section) -> Timing:
        """Run the section and its history change in one transaction; returns the time taken.

        The timeouts are transaction-local (``SET LOCAL``), so nothing needs resetting afterwards."""
        opening = [
            self.dialect.begin_sql,
            *self.dialect.timeout_statements(self.lock_timeout_ms, self.statement_timeout_ms, local=True),
        ]
        attempt = 0
        while True:
            started = time.perf_counter()
            index = 0
            each: list[float | None] = []
            self.dialect.execute_many(self.conn, opening)
            try:
                for statement in section.statements:
                    begun = time.perf_counter()
                    execute(self.conn, statement.sql)
                    each.append((time.perf_counter() - begun) * 1000)
                    index += 1
                duration = time.perf_counter() - started
                if section.direction == "up":
                    self.history.insert(
                        self.record(section.migration, "applied", round(duration * 1000), None)
                    )
                else:
                    self.history.delete(section.migration.version)
                execute(self.conn, "COMMIT")
                return Timing(duration * 1000, each)
            except Exception as exc:
                execute(self.conn, "ROLLBACK")
                retry = attempt < self.lock_retries and self.dialect.is_lock_timeout(exc)
                if index < len(section.statements) and retry:
                    self._backoff(attempt, section, section.statements[index])
                    attempt += 1
                    continue
                if index >= len(section.statements):
                    raise
                raise self._failure(
                    section, index, exc, "nothing was applied: the transaction was rolled back"
                ) from exc

    # -- tracked -------------------------------------------------------------------------------------
    def run_tracked(self, section: Section, start: int = 0) -> Timing:
        """Run statement by statement, recording progress; ``start`` is the 0-based statement to begin at."""
        migration = section.migration
        up = section.direction == "up"
        started = time.perf_counter()
        each: list[float | None] = [None] * start
        if up and start == 0:
            self.history.insert(self.record(migration, "running", 0, 1))
        else:
            self.history.update(
                migration.version, status="running" if up else "rolling_back", statement=start + 1, error=None
            )
        self._timeouts()
        try:
            for index in range(start, len(section.statements)):
                statement = section.statements[index]
                if index > start:
                    self.history.update(migration.version, statement=index + 1)
                attempt = 0
                while True:
                    try:
                        begun = time.perf_counter()
                        execute(self.conn, statement.sql)
                        each.append((time.perf_counter() - begun) * 1000)
                        break
                    except Exception as exc:
                        if self.dialect.is_lock_timeout(exc) and attempt < self.lock_retries:
                            self._backoff(attempt, section, statement)
                            attempt += 1
                            continue
                        if up and start == 0 and index == 0:
                            # nothing of this migration ran: leave no trace, as a rolled-back one would
                            self.history.delete(migration.version)
                            raise self._failure(section, index, exc, "nothing was applied") from exc
                        failure = self._failure(section, index, exc, self._recovery(section, index))
                        self.history.update(
                            migration.version,
                            status="failed" if up else "rollback_failed",
                            statement=index + 1,
                            error=failure.message,
                        )
                        raise failure from exc
        finally:
            self._reset_timeouts()
        duration = (time.perf_counter() - started) * 1000
        if up:
            self.history.update(
                migration.version,
                status="applied",
                statement=None,
                error=None,
                duration_ms=round(duration),
                applied_at=self.history.now(),
                checksum=checksum(migration.up),
                up_sql=migration.up,
                down_sql=migration.down,
            )
        else:
            self.history.delete(migration.version)
        return Timing(duration, each)

    def _recovery(self, section: Section, index: int) -> str:
        version = section.migration.version
        done = {0: "no statement of it ran", 1: "statement 1 ran and stays applied"}.get(
            index, f"statements 1-{index} ran and stay applied"
        )
        if section.direction == "up":
            return (
                f"{done} (recorded as failed); fix the cause, then 'stanchion db migrate --resume' continues at "
                f"statement {index + 1}, or undo by hand and 'stanchion db repair --forget {version}' starts over"
            )
        return (
            f"{done}; finish the rollback by hand, then 'stanchion db repair --forget {version}', or "
            f"'stanchion db repair --mark-applied {version}' to keep it applied"
        )

    def run(self, section: Section, start: int = 0) -> Timing:
        if section.transaction and self.dialect.transactional_ddl and start == 0:
            return self.run_atomic(section)
        return self.run_tracked(section, start)
