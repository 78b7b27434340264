"""One root exception for every error a user can act on, and the exit codes every command keeps.

The core raises :class:`StanchionError` (or a subclass); the CLI renders it as one line plus a hint and
exits with its code. Anything else that escapes is a defect in Stanchion and exits with ``INTERNAL``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in docs/architecture.md and every tool's page."""

    OK = 0
    CHECK_FAILED = 1  # lint findings, threshold breached, verification failed, status needs attention
    USAGE = 2  # bad flags, bad input files, bad configuration
    ENVIRONMENT = 3  # database unreachable, port in use, tool missing
    INTERNAL = 70  # a defect in Stanchion itself (EX_SOFTWARE); please report it
    INTERRUPTED = 130  # Ctrl-C


class StanchionError(Exception):
    """An error the user can act on: what is wrong, how to fix it, and the exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(StanchionError):
    """Bad flags or arguments, or input that cannot be used as given (exit 2)."""

    exit_code = ExitCode.USAGE


class ConfigError(StanchionError):
    """Configuration that cannot be read or is invalid (exit 2)."""

    exit_code = ExitCode.USAGE


class EnvironmentProblem(StanchionError):
    """Something outside Stanchion is missing or unreachable: a database, a port, a tool (exit 3)."""

    exit_code = ExitCode.ENVIRONMENT


class CheckFailed(StanchionError):
    """A check ran and did not pass: lint findings, a breached threshold, a failed verification (exit 1)."""

    exit_code = ExitCode.CHECK_FAILED
