"""The marker a ``stanchion scaffold new`` project carries, and where generated routes plug into it.

``scaffold new`` writes ``.stanchion.json`` at the project's root: the generator, the stack, whether it has
users and JWTs (``--auth``), and the conventional folder for spec-to-code routes. The project's app mounts that
folder when it exists (and runs unchanged when it does not), so ``stanchion scaffold routes SPEC`` run inside
the project needs neither ``--output`` nor ``--framework`` and no manual wiring.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stanchion import __version__
from stanchion.errors import UsageError

MARKER = ".stanchion.json"


@dataclass(frozen=True)
class RoutesSlot:
    """Where a stack's app looks for generated routes, and the framework they are generated for."""

    framework: str
    output: str


#: stack -> the folder its app mounts (relative to the project root, POSIX).
SLOTS: dict[str, RoutesSlot] = {
    "express-typescript": RoutesSlot("express", "src/api"),
    "fastapi": RoutesSlot("fastapi", "app/api_generated"),
}


@dataclass(frozen=True)
class Project:
    """A project ``scaffold new`` generated, as its marker describes it."""

    root: Path
    stack: str
    auth: bool

    @property
    def slot(self) -> RoutesSlot:
        return SLOTS[self.stack]

    @property
    def routes_dir(self) -> Path:
        return self.root / self.slot.output


def marker_text(stack: str, auth: bool, minimal: bool) -> str:
    """The marker file ``scaffold new`` writes."""
    slot = SLOTS[stack]
    document: dict[str, Any] = {
        "generator": f"stanchion scaffold new {__version__}",
        "stack": stack,
        "auth": auth,
        "minimal": minimal,
        "routes": {"framework": slot.framework, "output": slot.output},
    }
    return json.dumps(document, indent=2) + "\n"


def read_project(root: Path) -> Project | None:
    """The project whose root is ``root``, or None when ``root`` holds no marker."""
    path = root / MARKER
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError(
            f"{path} is not readable JSON", "restore it from version control or pass --output and --framework"
        ) from None
    stack = data.get("stack") if isinstance(data, dict) else None
    if not isinstance(stack, str) or stack not in SLOTS:
        raise UsageError(
            f"{path} names no known stack (expected one of: {', '.join(sorted(SLOTS))})",
            "restore it from version control or pass --output and --framework",
        )
    return Project(root=root.resolve(), stack=stack, auth=bool(data.get("auth", False)))


def find_project(start: Path) -> Project | None:
    """The nearest project at or above ``start`` (a folder), or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        project = read_project(folder)
        if project is not None:
            return project
    return None
