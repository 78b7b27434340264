"""The injectable output environment: where text, JSON and progress go.

Commands never call ``print``; they receive an :class:`Output` and use it. The rules it enforces:

* ``--json``: exactly one JSON document on stdout (:meth:`Output.result`); human text goes to stderr.
* Human text (:meth:`Output.info`, :meth:`Output.warn`) goes to stderr, so stdout stays machine-readable.
* Progress is drawn only when stderr is a terminal and JSON mode is off; in CI it stays silent.
* Everything shown passes through :func:`stanchion.redact.mask_secrets`.

The core layers may accept a :class:`Progress` (the protocol below) to report long work without knowing
whether anything is drawn.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from stanchion.redact import mask_secrets


class Progress(Protocol):
    """What the core may call to report progress; :class:`NullProgress` when nothing is drawn."""

    def advance(self, steps: int = 1) -> None: ...

    def update(self, description: str) -> None: ...


class NullProgress:
    """Progress that draws nothing (CI, ``--json``, tests)."""

    def advance(self, steps: int = 1) -> None:
        return None

    def update(self, description: str) -> None:
        return None


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Output:
    """Streams plus the mode flags that decide what is written where."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    json_mode: bool = False
    debug: bool = False
    quiet: bool = False
    stderr_tty: bool | None = None
    stdin_tty: bool | None = None

    def __post_init__(self) -> None:
        if self.stderr_tty is None:
            self.stderr_tty = _is_tty(self.stderr) and os.environ.get("CI") is None
        if self.stdin_tty is None:
            self.stdin_tty = _is_tty(sys.stdin)

    @property
    def interactive(self) -> bool:
        """True when a person is at the terminal: prompts and confirmations are allowed."""
        return bool(self.stdin_tty and self.stderr_tty and not self.json_mode)

    @property
    def color(self) -> bool:
        return bool(self.stderr_tty) and "NO_COLOR" not in os.environ

    # -- human text (stderr) -------------------------------------------------------------------
    def info(self, text: str) -> None:
        """A line for people; suppressed by ``--quiet``, kept on stderr in JSON mode."""
        if not self.quiet:
            self._write(self.stderr, text)

    def warn(self, text: str) -> None:
        self._write(self.stderr, self._style("warning: ", "33") + text)

    def error(self, text: str, hint: str | None = None) -> None:
        self._write(self.stderr, self._style("error: ", "31;1") + text)
        if hint:
            self._write(self.stderr, self._style("hint: ", "36") + hint)

    def failure(self, message: str, hint: str | None, exit_code: int) -> None:
        """An error the command ends on: the line and hint on stderr and, under ``--json``, one document
        ``{"error": {"message", "hint", "exit_code"}}`` on stdout, so an agent reading stdout always gets JSON."""
        self.error(message, hint)
        if self.json_mode:
            self.result({"error": {"message": message, "hint": hint, "exit_code": exit_code}})

    # -- results (stdout) ----------------------------------------------------------------------
    def result(self, document: Any, text: str | None = None) -> None:
        """Emit a command's result: the JSON document under ``--json``, else ``text`` on stdout."""
        if self.json_mode:
            self.stdout.write(mask_secrets(json.dumps(document, indent=2, sort_keys=False, default=str)))
            self.stdout.write("\n")
            self.stdout.flush()
        elif text is not None:
            self._write(self.stdout, text)

    def text(self, text: str) -> None:
        """Write report text to stdout (the human form of a result)."""
        self._write(self.stdout, text)

    # -- progress -------------------------------------------------------------------------------
    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[Progress]:
        """A progress bar on a terminal, nothing elsewhere; rich is imported only when drawn."""
        if not self.stderr_tty or self.json_mode or self.quiet:
            yield NullProgress()
            return
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stderr)
        with RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield _RichProgress(bar, task)

    # -- internals ------------------------------------------------------------------------------
    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def _write(self, stream: TextIO, text: str) -> None:
        stream.write(mask_secrets(text))
        if not text.endswith("\n"):
            stream.write("\n")
        stream.flush()


class _RichProgress:
    def __init__(self, bar: Any, task: Any) -> None:
        self._bar = bar
        self._task = task

    def advance(self, steps: int = 1) -> None:
        self._bar.advance(self._task, steps)

    def update(self, description: str) -> None:
        self._bar.update(self._task, description=description)
