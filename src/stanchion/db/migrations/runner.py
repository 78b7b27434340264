"""The migration runner: plans from files plus history, takes the lock, runs sections, reports status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.db.dialects import Dialect, dialect_for
from stanchion.db.dialects.base import Connection
from stanchion.db.migrations import files
from stanchion.db.migrations.adopt import foreign_history
from stanchion.db.migrations.files import Migration, checksum, version_key
from stanchion.db.migrations.history import History, Record, format_time, now, who
from stanchion.db.migrations.options import directory_of, parse_duration_ms, settings
from stanchion.db.migrations.results import Entry, RepairChange, RepairResult, RunResult, StatusResult, Step
from stanchion.db.url import parse_url
from stanchion.errors import CheckFailed, UsageError
from stanchion.text import counted

if TYPE_CHECKING:
    from stanchion.db.migrations.execute import Executor, Section, Timing


def split_section(dialect: Dialect, migration: Migration, direction: str) -> Section:
    """Split a section for running (imported on first use: ``status`` never needs it)."""
    from stanchion.db.migrations.execute import split_section as split

    return split(dialect, migration, direction)


UNFINISHED = ("running", "rolling_back")
FAILED = ("failed", "rollback_failed")


class Runner:
    """One database, one migrations folder, one connection (opened on first use)."""

    def __init__(
        self,
        dialect: Dialect,
        directory: Path | None,
        layout: str,
        lock_timeout_ms: int | None,
        statement_timeout_ms: int | None,
        lock_retries: int,
        lock_wait: float,
        notify: Callable[[str], None] | None,
    ) -> None:
        self.dialect = dialect
        self.directory = directory
        self.layout = layout
        self.lock_timeout_ms = lock_timeout_ms
        self.statement_timeout_ms = statement_timeout_ms
        self.lock_retries = max(0, lock_retries)
        self.lock_wait = lock_wait
        self.notify = notify
        self._conn: Connection | None = None
        self._migrations: list[Migration] | None = None
        self._index: dict[str, Migration] | None = None

    @classmethod
    @contextmanager
    def open(
        cls,
        database_url: str | None,
        directory: str | Path | None,
        fmt: str | None,
        lock_timeout: str | None = None,
        statement_timeout: str | None = None,
        lock_retries: int = 3,
        lock_wait: float = 600.0,
        notify: Callable[[str], None] | None = None,
        need_directory: bool = True,
    ) -> Iterator[Runner]:
        values = settings(database_url, directory, fmt)
        dialect = dialect_for(parse_url(values.database_url))
        lock_ms = parse_duration_ms(
            lock_timeout if lock_timeout is not None else values.get("lock_timeout"), "lock timeout"
        )
        stmt_ms = parse_duration_ms(
            statement_timeout if statement_timeout is not None else values.get("statement_timeout"),
            "statement timeout",
        )
        runner = cls(
            dialect,
            directory_of(values) if need_directory else None,
            str(values.get("migrations_format")),
            lock_ms,
            stmt_ms,
            lock_retries,
            lock_wait,
            notify,
        )
        try:
            yield runner
        finally:
            runner.close()

    # -- plumbing ----------------------------------------------------------------------------------
    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
        self.dialect.close()

    @property
    def database(self) -> str:
        return self.dialect.url.masked

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            self._conn = self.dialect.connect()
        return self._conn

    @property
    def migrations(self) -> list[Migration]:
        if self._migrations is None:
            assert self.directory is not None
            self.layout, self._migrations = files.load(self.directory, self.layout)
        return self._migrations

    def _database_missing(self) -> bool:
        path = self.dialect.url.sqlite_path
        return path is not None and not path.exists()

    def _records(self, with_sql: bool = True) -> dict[str, Record]:
        """History rows, read without changing anything (no table yet: none)."""
        if self._database_missing():
            return {}
        history = History(self.dialect, self.conn)
        return history.records(with_sql) if history.exists() else {}

    def _adoptable(self, result: RunResult | None = None) -> dict[str, Record]:
        """History records for the migrations another tool already applied (see :mod:`.adopt`)."""
        if self._database_missing():
            return {}
        adopted = foreign_history(self.dialect, self.conn, self.layout, self.migrations)
        if adopted is None or not adopted.versions:
            return {}
        note = f"adopted from {adopted.tool} ({adopted.table})"
        records = {}
        for m in self.migrations:
            if m.version in adopted.versions:
                records[m.version] = Record(
                    m.version,
                    m.name,
                    m.checksum,
                    "applied",
                    now(self.dialect),
                    0,
                    note,
                    None,
                    None,
                    m.up,
                    m.down,
                )
        if result is not None:
            result.warnings.append(
                f"{counted(len(records), 'migration')} already applied by {adopted.tool} ({adopted.table}) "
                + ("would be" if result.dry_run else "was" if len(records) == 1 else "were")
                + " recorded as applied"
            )
        return records

    @contextmanager
    def _locked(self, create_history: bool = True) -> Iterator[Executor]:
        """The lock held and an executor; ``create_history=False`` leaves creating the history table to the
        caller (``migrate`` creates it only once its plan passed the checks)."""
        self.dialect.lock(self.conn, self.lock_wait)
        try:
            history = History(self.dialect, self.conn)
            if create_history:
                history.ensure()
            from stanchion.db.migrations.execute import Executor

            yield Executor(
                self.dialect,
                self.conn,
                history,
                who(self.dialect, self.conn),
                self.lock_timeout_ms,
                self.statement_timeout_ms,
                self.lock_retries,
                self.notify,
            )
        finally:
            self.dialect.unlock(self.conn)

    def _say(self, text: str) -> None:
        if self.notify is not None:
            self.notify(text)

    def _step(self, section: Section, timing: Timing | None = None, resumed_at: int | None = None) -> Step:
        m = section.migration
        return Step(
            m.version,
            m.name,
            section.direction,
            str(section.path),
            [s.sql for s in section.statements],
            section.transaction and self.dialect.transactional_ddl,
            timing.total_ms if timing is not None else 0.0,
            resumed_at,
            list(timing.statement_ms) if timing is not None else [],
        )

    def _check(self, sections: list[Section]) -> None:
        """The whole plan's sections, checked before the first runs (see ``execute.check_sections``)."""
        from stanchion.db.migrations.execute import check_sections

        conn = None if self.dialect.name == "sqlite" else self.conn
        check_sections(self.dialect, conn, sections)

    def _by_version(self) -> dict[str, Migration]:
        if self._index is None:
            self._index = {m.version: m for m in self.migrations}
        return self._index

    def _check_unfinished(self, records: dict[str, Record], resume: bool) -> Record | None:
        """Refuse to go on past a failed or interrupted migration (unless resuming an up migration)."""
        for record in records.values():
            if record.status not in (*UNFINISHED, *FAILED):
                continue
            file = self._by_version().get(record.version)
            where = str(file.path) if file else f"version {record.version} (file missing)"
            resumable = record.status in ("running", "failed") and file is not None
            if resume and resumable:
                return record
            what = "failed" if record.status in FAILED else "was interrupted"
            verb = "rollback of" if record.status in ("rolling_back", "rollback_failed") else "migration"
            hint = (
                f"fix the cause, then 'stanchion db migrate --resume' to continue at statement {record.statement}, "
                f"or undo by hand and 'stanchion db repair --forget {record.version}' to start it over"
                if resumable
                else f"finish it by hand, then 'stanchion db repair --forget {record.version}' "
                f"or 'stanchion db repair --mark-applied {record.version}'"
            )
            if record.error:
                message = f"an earlier run failed and was recorded: {record.error}; nothing was run"
            else:
                message = f"{verb} {where} {what} at statement {record.statement}; nothing was run"
            raise CheckFailed(message, hint)
        return None

    def _check_changed(self, records: dict[str, Record]) -> None:
        for migration in self.migrations:
            record = records.get(migration.version)
            if record is not None and record.status == "applied" and record.checksum != migration.checksum:
                raise CheckFailed(
                    f"{migration.path}: changed since it was applied (checksum differs); nothing was run",
                    "revert the edit and put the change in a new migration, or run 'stanchion db repair' "
                    "to accept the file as it is now",
                )

    # -- commands ----------------------------------------------------------------------------------
    def migrate(
        self,
        to: str | None = None,
        dry_run: bool = False,
        resume: bool = False,
        allow_out_of_order: bool = False,
    ) -> RunResult:
        result = RunResult("migrate", self.database, dry_run)
        migrations = self.migrations
        if to is not None and to not in self._by_version():
            raise UsageError(
                f"no migration with version {to} in {self.directory}",
                "run 'stanchion db status' to list them",
            )
        if dry_run:
            records = self._records()
            if not records:
                records = self._adoptable(result)
            self._plan_up(records, to, allow_out_of_order, result, resume)
            return result
        if not migrations:
            return result
        with self._locked(create_history=False) as executor:
            records = executor.history.records() if executor.history.exists() else {}
            adopted = {} if records else self._adoptable(result)
            records = records or adopted
            resumed = self._check_unfinished(records, resume)
            self._check_changed(records)
            plan = self._plan_up(records, to, allow_out_of_order, result, False)
            executor.history.ensure()  # a refused plan leaves the database as it was, without a history table
            for record in adopted.values():  # only once the plan passed its checks: nothing recorded before
                executor.history.insert(record)
            if resumed is not None:
                migration = self._by_version()[resumed.version]
                section = split_section(self.dialect, migration, "up")
                start = (resumed.statement or 1) - 1
                self._say(f"resuming {migration.label} at statement {start + 1}")
                result.steps.append(self._step(section, executor.run_tracked(section, start), start + 1))
            for section in plan:
                self._say(f"applying {section.migration.label}")
                result.steps.append(self._step(section, executor.run(section)))
        return result

    def _plan_up(
        self,
        records: dict[str, Record],
        to: str | None,
        allow_out_of_order: bool,
        result: RunResult,
        resume: bool,
    ) -> list[Section]:
        applied = [r for r in records.values() if r.status == "applied"]
        top = max((r.sort_key for r in applied), default=())
        limit = version_key(to) if to is not None else None
        pending = [
            m for m in self.migrations if m.version not in records and (limit is None or m.sort_key <= limit)
        ]
        late = [m for m in pending if m.sort_key < top]
        if late and not allow_out_of_order:
            raise CheckFailed(
                f"{late[0].path}: pending but older than the latest applied migration (out of order)"
                + (f", and {len(late) - 1} more" if len(late) > 1 else ""),
                "pass --allow-out-of-order to apply it anyway, or give it a newer version",
            )
        missing = [r for r in applied if r.version not in self._by_version()]
        result.warnings += [f"applied migration {r.version}_{r.name} has no file any more" for r in missing]
        sections = [split_section(self.dialect, m, "up") for m in pending]
        self._check(sections)
        if result.dry_run:
            for record in records.values():
                if resume and record.status in ("running", "failed") and record.version in self._by_version():
                    section = split_section(self.dialect, self._by_version()[record.version], "up")
                    start = (record.statement or 1) - 1
                    section.statements = section.statements[start:]
                    result.steps.append(self._step(section, resumed_at=start + 1))
            result.steps += [self._step(s) for s in sections]
        return sections

    def _down_sections(self, records: dict[str, Record], steps: int | None, to: str | None) -> list[Section]:
        applied = [r for r in records.values() if r.status == "applied"]
        applied.sort(key=lambda r: r.sort_key, reverse=True)
        if to is not None:
            limit = version_key(to)
            targets = [r for r in applied if r.sort_key > limit]
        else:
            count = 1 if steps is None else steps
            if count < 1:
                raise UsageError(
                    "--steps must be 1 or more", "pass --steps 1 to roll back the latest migration"
                )
            targets = applied[:count]
        sections = []
        for record in targets:
            migration = self._by_version().get(record.version) or Migration(
                record.version,
                record.name,
                Path(f"<history {record.version}>"),
                record.up_sql,
                record.down_sql,
                "stanchion",
            )
            section = split_section(self.dialect, migration, "down")
            if migration.down is None or not section.statements:
                what = "has no down section" if migration.down is None else "has an empty down section"
                raise UsageError(
                    f"{migration.path}: {what}; nothing was rolled back",
                    "write the down SQL in the file, or undo the change with a new migration",
                )
            sections.append(section)
        self._check(sections)
        return sections

    def rollback(self, steps: int | None = None, to: str | None = None, dry_run: bool = False) -> RunResult:
        if steps is not None and to is not None:
            raise UsageError("--steps and --to cannot be used together", "pass one of them")
        result = RunResult("rollback", self.database, dry_run)
        if dry_run:
            result.steps = [self._step(s) for s in self._down_sections(self._records(), steps, to)]
            return result
        with self._locked() as executor:
            records = executor.history.records()
            self._check_unfinished(records, False)
            for section in self._down_sections(records, steps, to):
                self._say(f"rolling back {section.migration.label}")
                result.steps.append(self._step(section, executor.run(section)))
        return result

    def redo(self, dry_run: bool = False) -> RunResult:
        result = RunResult("redo", self.database, dry_run)
        if dry_run:
            downs = self._down_sections(self._records(), 1, None)
            result.steps = [self._step(s) for s in downs]
            result.steps += [self._step(split_section(self.dialect, s.migration, "up")) for s in downs]
            return result
        with self._locked() as executor:
            records = executor.history.records()
            self._check_unfinished(records, False)
            self._check_changed(records)
            downs = self._down_sections(records, 1, None)
            for section in downs:
                if section.migration.version not in self._by_version():
                    raise UsageError(
                        f"migration {section.migration.version} has no file to apply again",
                        "restore the file",
                    )
            ups = [split_section(self.dialect, s.migration, "up") for s in downs]
            self._check(ups)  # both directions checked before the rollback starts
            for section, up in zip(downs, ups, strict=True):
                self._say(f"rolling back {section.migration.label}")
                result.steps.append(self._step(section, executor.run(section)))
                self._say(f"applying {up.migration.label}")
                result.steps.append(self._step(up, executor.run(up)))
        return result

    def apply(self, path: Path, dry_run: bool = False) -> RunResult:
        migration = files.read_file(path)
        result = RunResult("apply", self.database, dry_run)
        section = split_section(self.dialect, migration, "up")
        self._check([section])
        records = self._records() if dry_run else None
        if dry_run:
            self._refuse_recorded(migration, records or {})
            result.steps.append(self._step(section))
            return result
        with self._locked() as executor:
            self._refuse_recorded(migration, executor.history.records())
            self._say(f"applying {migration.label}")
            result.steps.append(self._step(section, executor.run(section)))
        return result

    @staticmethod
    def _refuse_recorded(migration: Migration, records: dict[str, Record]) -> None:
        record = records.get(migration.version)
        if record is not None:
            raise UsageError(
                f"{migration.path}: version {migration.version} is already recorded ({record.status})",
                "give the file a new version, or roll the recorded one back first",
            )

    def status(self) -> StatusResult:
        migrations = self.migrations
        own = self._records(with_sql=False)
        records = own or self._adoptable()
        has_table = bool(own) or (not self._database_missing() and History(self.dialect, self.conn).exists())
        lock_free = self._database_missing() or self.dialect.lock_is_free(self.conn)
        top = max((r.sort_key for r in records.values() if r.status == "applied"), default=())
        entries: list[Entry] = []
        for m in migrations:
            record = records.get(m.version)
            if record is None:
                state = "out_of_order" if m.sort_key < top else "pending"
                entries.append(Entry(m.version, m.name, state, str(m.path)))
                continue
            entries.append(self._entry(record, str(m.path), m.checksum, lock_free))
        known = {m.version for m in migrations}
        entries += [self._entry(r, None, None, lock_free) for v, r in records.items() if v not in known]
        entries.sort(key=lambda e: version_key(e.version))
        return StatusResult(
            self.database, str(self.directory), self.layout, entries, has_table, not lock_free
        )

    @staticmethod
    def _entry(record: Record, file: str | None, current: str | None, lock_free: bool) -> Entry:
        state, detail = "applied", None
        if record.status in FAILED:
            state = "failed"
            detail = "rollback failed" if record.status == "rollback_failed" else "up migration failed"
        elif record.status in UNFINISHED:
            state = "interrupted" if lock_free else "running"
            detail = "rolling back" if record.status == "rolling_back" else "applying"
        elif file is None:
            state, detail = "missing", "applied, but the file is gone"
        elif current is not None and current != record.checksum:
            state, detail = "changed", "file edited since it was applied"
        return Entry(
            record.version,
            record.name,
            state,
            file,
            format_time(record.applied_at),
            record.applied_by,
            int(record.duration_ms),
            record.statement,
            record.error,
            detail,
        )

    def repair(
        self, dry_run: bool = False, forget: list[str] | None = None, mark_applied: list[str] | None = None
    ) -> RepairResult:
        result = RepairResult(self.database, dry_run, [])
        if dry_run:
            result.changes = self._repairs(self._records(), forget or [], mark_applied or [])
            return result
        with self._locked() as executor:
            history = executor.history
            result.changes = self._repairs(history.records(), forget or [], mark_applied or [])
            for change in result.changes:
                migration = self._by_version().get(change.version)
                if change.action == "forget":
                    history.delete(change.version)
                elif migration is not None:
                    history.update(
                        change.version,
                        status="applied",
                        checksum=checksum(migration.up),
                        up_sql=migration.up,
                        down_sql=migration.down,
                        statement=None,
                        error=None,
                    )
        return result

    def _ran_anything(self, record: Record) -> bool:
        """Whether the up SQL recorded for a migration had any statement (an empty template that was
        migrated before empty sections were refused ran nothing)."""
        from stanchion.db.migrations.execute import split_section as split

        recorded = Migration(record.version, record.name, Path("<history>"), record.up_sql, None, "stanchion")
        try:
            return bool(split(self.dialect, recorded, "up").statements)
        except UsageError:
            return True  # it does not split now, but something was recorded as having run

    def _repairs(
        self, records: dict[str, Record], forget: list[str], mark_applied: list[str]
    ) -> list[RepairChange]:
        changes: list[RepairChange] = []
        for version in [*forget, *mark_applied]:
            if version not in records:
                raise UsageError(
                    f"version {version} is not in the history table", "run 'stanchion db status'"
                )
        for version in mark_applied:
            if version not in self._by_version():
                raise UsageError(f"version {version} has no migration file", "restore the file first")
        for version in forget:
            r = records[version]
            changes.append(RepairChange(version, r.name, "forget", r.checksum, None))
        for version in mark_applied:
            r = records[version]
            changes.append(
                RepairChange(
                    version, r.name, "mark_applied", r.checksum, self._by_version()[version].checksum
                )
            )
        if forget or mark_applied:
            return changes
        top = max((r.sort_key for r in records.values() if r.status == "applied"), default=())
        for m in self.migrations:
            rec = records.get(m.version)
            if rec is not None and rec.status == "applied" and rec.checksum != m.checksum:
                if not self._ran_anything(rec):
                    later = m.sort_key < top
                    changes.append(
                        RepairChange(
                            m.version,
                            m.name,
                            "forget",
                            rec.checksum,
                            None,
                            reason="it was recorded as applied with an empty up section, so none of the "
                            "statements now in the file ever ran; forgetting the record makes "
                            "'stanchion db migrate' run them"
                            + (" (with --allow-out-of-order: newer migrations are applied)" if later else ""),
                        )
                    )
                    continue
                import difflib  # only repair shows diffs: kept off the start-up path of status and migrate

                diff = "".join(
                    difflib.unified_diff(
                        rec.up_sql.splitlines(keepends=True),
                        m.up.splitlines(keepends=True),
                        f"{m.label} (applied)",
                        f"{m.path} (now)",
                    )
                )
                changes.append(RepairChange(m.version, m.name, "checksum", rec.checksum, m.checksum, diff))
        return changes


def snapshot(database_url: str, exclude: tuple[str, ...] = ("stanchion_migrations",)) -> dict[str, Any]:
    """A comparable description of a database's schema (used to prove round trips and dry runs)."""
    dialect = dialect_for(database_url)
    conn = dialect.connect()
    try:
        return dialect.snapshot(conn, exclude)
    finally:
        conn.close()
        dialect.close()
