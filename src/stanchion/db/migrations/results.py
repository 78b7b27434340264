"""Result objects the migration core returns; the CLI renders them (text or ``--json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanchion.errors import ExitCode


@dataclass(frozen=True)
class CreateResult:
    files: list[Path]
    layout: str

    def to_json(self) -> dict[str, Any]:
        return {"files": [str(p) for p in self.files], "layout": self.layout}


@dataclass
class Step:
    """One migration run (or planned, under ``--dry-run``) in one direction."""

    version: str
    name: str
    direction: str  # "up" | "down"
    file: str
    statements: list[str]
    transaction: bool
    duration_ms: float = 0.0
    resumed_at: int | None = None
    #: each statement's time in milliseconds, aligned with ``statements`` (None for one a resumed run
    #: skipped); empty when nothing ran (``--dry-run``)
    statement_ms: list[float | None] = field(default_factory=list)

    def timed_statements(self) -> list[tuple[str, float | None]]:
        """Each statement with its time (None when it did not run in this step)."""
        times = self.statement_ms + [None] * (len(self.statements) - len(self.statement_ms))
        return list(zip(self.statements, times, strict=True))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "direction": self.direction,
            "file": self.file,
            "transaction": self.transaction,
            "statements": self.statements,
            "statement_ms": [None if ms is None else round(ms, 3) for ms in self.statement_ms],
            "duration_ms": round(self.duration_ms, 3),
            "resumed_at_statement": self.resumed_at,
        }


@dataclass
class RunResult:
    """What ``migrate``, ``rollback``, ``redo`` and ``apply`` did (or would do, under ``--dry-run``)."""

    action: str
    database: str
    dry_run: bool
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "database": self.database,
            "dry_run": self.dry_run,
            "steps": [s.to_json() for s in self.steps],
            "warnings": self.warnings,
        }


#: states a migration can be in, as ``status`` reports them
ATTENTION = ("changed", "missing", "out_of_order", "failed", "interrupted")


@dataclass
class Entry:
    version: str
    name: str
    state: str  # applied | pending | changed | missing | out_of_order | failed | interrupted | running
    file: str | None
    applied_at: str | None = None
    applied_by: str | None = None
    duration_ms: int | None = None
    statement: int | None = None
    error: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class StatusResult:
    database: str
    directory: str
    layout: str
    entries: list[Entry]
    history_table: bool
    lock_held: bool = False

    def count(self, state: str) -> int:
        return sum(1 for e in self.entries if e.state == state)

    @property
    def needs_attention(self) -> bool:
        return any(e.state in ATTENTION for e in self.entries)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.CHECK_FAILED if self.needs_attention else ExitCode.OK

    def advice(self) -> list[str]:
        """What to do about each kind of problem present, one line each."""
        hints = {
            "changed": "changed: revert the edit and write a new migration, or accept the file with "
            "'stanchion db repair' (it shows the diff)",
            "missing": "missing: restore the file (the applied SQL is kept in the history table)",
            "out_of_order": "out of order: give the file a newer version, or 'stanchion db migrate "
            "--allow-out-of-order'",
            "failed": "failed: fix the cause, then 'stanchion db migrate --resume' (continues at the statement "
            "shown), or undo by hand and 'stanchion db repair --forget VERSION'",
            "interrupted": "interrupted: check the statement shown took no effect, then 'stanchion db migrate "
            "--resume', or undo by hand and 'stanchion db repair --forget VERSION'",
        }
        return [hints[state] for state in ATTENTION if self.count(state)]

    def to_json(self) -> dict[str, Any]:
        states = ("applied", "pending", *ATTENTION, "running")
        return {
            "database": self.database,
            "directory": self.directory,
            "layout": self.layout,
            "history_table": self.history_table,
            "lock_held": self.lock_held,
            "summary": {state: self.count(state) for state in states},
            "needs_attention": self.needs_attention,
            "advice": self.advice(),
            "migrations": [e.to_json() for e in self.entries],
        }


@dataclass
class RepairChange:
    version: str
    name: str
    action: str  # "checksum" | "forget" | "mark_applied"
    old_checksum: str | None
    new_checksum: str | None
    diff: str = ""
    reason: str = ""  # why this action, when it is not the one asked for (a never-run migration is forgotten)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RepairResult:
    database: str
    dry_run: bool
    changes: list[RepairChange]

    def to_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "dry_run": self.dry_run,
            "changes": [c.to_json() for c in self.changes],
        }
