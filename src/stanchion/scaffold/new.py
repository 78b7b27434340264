"""``stanchion scaffold new``: write a production-ready REST project for a stack.

The flags become :class:`ProjectOptions`; :func:`build_api` turns them into the one API model
(:class:`stanchion.scaffold.ir.Api`); the stack's emitter renders its templates from that model. Nothing is
written until every input has been checked, and a project is written into a temporary folder beside the
target and moved into place, so a failure never leaves half a project behind.
"""

from __future__ import annotations

import importlib
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from stanchion.errors import UsageError
from stanchion.paths import check_output_path, refused
from stanchion.scaffold.ir import Api, notes_api
from stanchion.scaffold.project import MARKER, marker_text
from stanchion.scaffold.stacks import STACKS

PROJECT_TYPES = ("rest",)
DATABASES = ("postgres", "sqlite")
#: The stack used when none is given (documented in docs/scaffold.md and `scaffold new --help`).
DEFAULT_STACK = "express-typescript"
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ProjectOptions:
    """What `scaffold new` was asked for (the flags, validated by :func:`check_options`)."""

    name: str
    stack: str
    type: str = "rest"
    auth: bool = False
    docker: bool = False
    ci: bool = False
    minimal: bool = False
    db: str = "postgres"

    @property
    def package_name(self) -> str:
        """The name as an npm package / Python distribution (``my-service``)."""
        return self.name

    @property
    def module_name(self) -> str:
        """The name as an identifier (``my_service``)."""
        return self.name.replace("-", "_")

    @property
    def title(self) -> str:
        return " ".join(part.capitalize() for part in self.name.split("-"))


@dataclass(frozen=True)
class NewResult:
    """What was written, where, and how long it took."""

    path: Path
    options: ProjectOptions
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "options": asdict(self.options),
            "files": self.files,
            "seconds": round(self.seconds, 3),
        }


class Emitter(Protocol):
    def emit(self, api: Api, options: ProjectOptions, target: Path) -> list[str]: ...


def check_name(name: str) -> str:
    """A project name: lowercase letters and digits in hyphen-separated words, at most 64 characters."""
    if not _NAME.fullmatch(name) or len(name) > 64:
        raise UsageError(
            f"invalid project name {name!r}",
            "use lowercase letters and digits, words joined by single hyphens, starting with a letter "
            "(for example 'orders-api'); at most 64 characters",
        )
    return name


def production_options(
    name: str,
    *,
    stack: str | None = None,
    type: str = "rest",
    auth: bool | None = None,
    docker: bool | None = None,
    ci: bool | None = None,
    minimal: bool = False,
    db: str = "postgres",
) -> ProjectOptions:
    """The options `scaffold new` writes when a flag is not given: the full production set.

    Auth, Docker (compose with PostgreSQL and Redis) and CI are on unless ``minimal`` (the app, health, config,
    errors and tests only) or turned off one by one (``False``); ``stack`` defaults to :data:`DEFAULT_STACK`.
    The same on and off a terminal: nothing here depends on who is watching.
    """
    full = not minimal
    return ProjectOptions(
        name=name,
        stack=stack or DEFAULT_STACK,
        type=type,
        auth=full if auth is None else auth,
        docker=full if docker is None else docker,
        ci=full if ci is None else ci,
        minimal=minimal,
        db=db,
    )


def project_target(
    where: str, directory: str | Path | None = None, cwd: Path | None = None
) -> tuple[str, Path]:
    """(project name, folder) for `scaffold new WHERE [--dir DIR]`.

    ``WHERE`` is a name (``orders-api``: the folder ``./orders-api``, or ``--dir``) or a path
    (``./services/user-service``, ``../x``, ``/srv/api``, ``.``): the project goes into that folder and is
    named after its last part.
    """
    base = cwd or Path.cwd()
    is_path = "/" in where or where in (".", "..") or (Path(where).is_absolute())
    if not is_path:
        return check_name(where), (base / Path(directory)) if directory else base / where
    if directory:
        raise UsageError(
            f"{where!r} is already a folder path; --dir cannot also be given",
            "pass a name with --dir, or the path alone (the project is named after its last part)",
        )
    folder = (base / where).resolve()
    name = folder.name
    if not _NAME.fullmatch(name) or len(name) > 64:
        raise UsageError(
            f"the folder name {name!r} of {where} is not a valid project name",
            "name the last folder with lowercase letters and digits joined by single hyphens "
            "(for example ./services/user-service)",
        )
    return name, folder


def check_options(options: ProjectOptions) -> ProjectOptions:
    """Validate every flag before anything is written."""
    check_name(options.name)
    if options.stack not in STACKS:
        raise UsageError(f"unknown stack {options.stack!r}", f"choose one of: {', '.join(sorted(STACKS))}")
    if options.type not in PROJECT_TYPES:
        raise UsageError(
            f"unknown project type {options.type!r}", f"choose one of: {', '.join(PROJECT_TYPES)}"
        )
    if options.db not in DATABASES:
        raise UsageError(f"unknown database {options.db!r}", f"choose one of: {', '.join(DATABASES)}")
    if options.minimal and options.auth:
        raise UsageError(
            "--minimal cannot be combined with --auth", "a minimal project has no database or users"
        )
    if options.stack == "express-typescript" and options.db == "sqlite":
        raise UsageError(
            "the express-typescript stack supports --db postgres only",
            "its tests use PGlite (PostgreSQL in-process); use --stack fastapi for SQLite",
        )
    return options


def build_api(options: ProjectOptions) -> Api:
    """The API model a new project renders: health only (``--minimal``) or a notes resource (+ auth)."""
    api = notes_api(options.title, auth=options.auth)
    if options.minimal:
        return api.model_copy(update={"resources": ()})
    return api


def load_emitter(stack: str) -> Emitter:
    module: Any = importlib.import_module(STACKS[stack] + ".emitter")
    return module  # type: ignore[no-any-return]


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(
            f"{target} is not empty", "choose an empty or new folder, or pass --force to write over its files"
        )


def _check_merge(target: Path, files: list[str]) -> None:
    """Before --force moves files into ``target``: nothing of the folder's own stands in the way of one
    (a file where the project has a folder, a folder where it has a file), so nothing is half-moved."""
    for rel in files:
        dest = target / rel
        for folder in reversed(dest.relative_to(target).parents):
            if folder != Path(".") and (target / folder).is_file():
                raise UsageError(
                    f"cannot write {dest}: {target / folder} is a file in the way",
                    "move it away, or choose an empty or new folder",
                )
        if dest.is_dir():
            raise UsageError(
                f"cannot write {dest}: it is a folder in the way",
                "move it away, or choose an empty or new folder",
            )


def new_project(target: Path, options: ProjectOptions, *, force: bool = False) -> NewResult:
    """Check the inputs, render the project into ``target`` and return what was written.

    With ``force`` an existing folder's files are kept unless the project writes a file of the same name.
    """
    started = time.perf_counter()
    check_options(options)
    target = target.resolve()
    check_output_path(target, folder=True)
    _check_target(target, force)
    api = build_api(options)
    emitter = load_emitter(options.stack)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{options.name}-", dir=target.parent))
    try:
        files = _write(emitter, api, options, staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewResult(path=target, options=options, files=files, seconds=time.perf_counter() - started)


def _write(emitter: Emitter, api: Api, options: ProjectOptions, staging: Path, target: Path) -> list[str]:
    """Render into ``staging``, then move it (or, into an existing folder, each file) to ``target``."""
    try:
        files = emitter.emit(api, options, staging)
        (staging / MARKER).write_text(marker_text(options.stack, options.auth, options.minimal))
        files.append(MARKER)
        if target.is_dir():
            _check_merge(target, files)
            for rel in files:
                dest = target / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                (staging / rel).replace(dest)
        else:
            staging.replace(target)
    except OSError as exc:
        raise refused(exc) from exc
    return files
