"""Install the packaged skill into an agent's folders, safely and idempotently.

A manifest (``.stanchion-skill.json`` in the skill folder) records the hash of every file as installed. On the
next install a file is:

* ``written``    when it is missing;
* ``unchanged``  when it already matches the packaged copy (so a second run is a no-op);
* ``updated``    when it still holds what an earlier install wrote (its hash matches the manifest);
* ``kept``       when the user edited it (it matches neither): left alone unless ``force``;
* ``overwritten`` when it was edited and ``force`` was given.

Two files are made for the place they are installed to rather than copied as they are: the agent file, whose
links into the skill folder are written relative to where that folder really is (``--dest`` and
``--agents-dest`` may be anywhere), and ``scripts/stanchion-runtime.json``, which records the interpreter
this install runs on so that the classic scripts find Stanchion from any ``python`` (see the scripts).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stanchion import __version__
from stanchion.errors import EnvironmentProblem, ExitCode
from stanchion.paths import check_output_path

SKILL_NAME = "senior-backend"
AGENT_FILE = "cs-backend-engineer.md"
MANIFEST = ".stanchion-skill.json"
RUNTIME = "scripts/stanchion-runtime.json"
#: How the packaged agent file links into the skill folder: right for the default layout
#: (~/.claude/agents/ beside ~/.claude/skills/senior-backend/), rewritten for any other.
AGENT_LINK_PREFIX = f"../skills/{SKILL_NAME}/"
DATA = Path(__file__).parent / "data"

Action = Literal["written", "unchanged", "updated", "kept", "overwritten"]


def packaged_skill_dir() -> Path:
    """Where the packaged copy of the skill folder lives."""
    return DATA / SKILL_NAME


def packaged_agent_file() -> Path:
    return DATA / "agents" / AGENT_FILE


def default_skill_dest(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".claude" / "skills" / SKILL_NAME


def default_agents_dest(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".claude" / "agents"


@dataclass(frozen=True)
class FileAction:
    path: Path
    action: Action


@dataclass
class InstallResult:
    skill_dir: Path
    agent_file: Path
    dry_run: bool
    actions: list[FileAction] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for item in self.actions if item.action == action)

    @property
    def kept(self) -> list[Path]:
        return [item.path for item in self.actions if item.action == "kept"]

    @property
    def exit_code(self) -> ExitCode:
        """1 when an edited file was kept (the install is not the packaged copy), else 0."""
        return ExitCode.CHECK_FAILED if self.kept else ExitCode.OK

    def to_json(self) -> dict[str, object]:
        return {
            "skill_dir": str(self.skill_dir),
            "agent_file": str(self.agent_file),
            "dry_run": self.dry_run,
            "files": [{"path": str(item.path), "action": item.action} for item in self.actions],
            "summary": {a: self.count(a) for a in ("written", "updated", "unchanged", "kept", "overwritten")},
        }


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def packaged_files() -> list[tuple[Path, str]]:
    """(source path, path relative to the skill folder) for every packaged skill file."""
    root = packaged_skill_dir()
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            found.append((path, path.relative_to(root).as_posix()))
    return found


def agent_text(skill_dir: Path, agents_dir: Path) -> bytes:
    """The agent file with its links pointing at ``skill_dir`` as seen from ``agents_dir``."""
    data = packaged_agent_file().read_bytes()
    try:
        prefix = Path(os.path.relpath(skill_dir.absolute(), agents_dir.absolute())).as_posix() + "/"
    except ValueError:  # another drive (Windows): no relative path exists
        prefix = skill_dir.absolute().as_posix() + "/"
    return data.replace(f"]({AGENT_LINK_PREFIX}".encode(), f"]({prefix}".encode())


def runtime_record() -> bytes:
    """Where this Stanchion runs: the interpreter (its environment has Stanchion and its dependencies)
    and the folder ``stanchion`` is imported from, for the classic scripts to hand themselves to."""
    import stanchion

    document = {
        "python": sys.executable,
        "path": str(Path(stanchion.__file__).resolve().parent.parent),
        "version": __version__,
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def _write_atomic(target: Path, data: bytes, executable: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    if executable:
        tmp.chmod(0o755)
    os.replace(tmp, target)


def _load_manifest(skill_dir: Path) -> dict[str, str]:
    path = skill_dir / MANIFEST
    try:
        data = json.loads(path.read_text())
        files = data.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def install(
    dest: Path | None = None,
    agents_dest: Path | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> InstallResult:
    """Copy the packaged skill folder to ``dest`` and the agent file into ``agents_dest``."""
    skill_dir = (dest or default_skill_dest()).expanduser()
    agent_file = (agents_dest or default_agents_dest()).expanduser() / AGENT_FILE
    check_output_path(skill_dir, folder=True, label="--dest")
    check_output_path(agent_file.parent, folder=True, label="--agents-dest")
    check_output_path(agent_file, folder=False, label="--agents-dest")
    result = InstallResult(skill_dir=skill_dir, agent_file=agent_file, dry_run=dry_run)
    previous = _load_manifest(skill_dir)
    manifest: dict[str, str] = {}

    plan = [(src.read_bytes(), skill_dir / rel, rel) for src, rel in packaged_files()]
    plan.append((runtime_record(), skill_dir / RUNTIME, RUNTIME))
    plan.append((agent_text(skill_dir, agent_file.parent), agent_file, f"agent:{agent_file}"))
    try:
        for data, target, key in plan:
            wanted = _digest(data)
            action: Action
            if not target.exists():
                action = "written"
            else:
                current = _digest(target.read_bytes())
                if current == wanted:
                    action = "unchanged"
                elif previous.get(key) == current:
                    action = "updated"
                else:
                    action = "overwritten" if force else "kept"
            if action in ("written", "updated", "overwritten") and not dry_run:
                _write_atomic(target, data, executable=target.suffix == ".py")
            manifest[key] = previous.get(key, wanted) if action == "kept" else wanted
            result.actions.append(FileAction(target, action))
        if not dry_run:
            document = {"installed_by": f"stanchion {__version__}", "files": manifest}
            _write_atomic(
                skill_dir / MANIFEST, (json.dumps(document, indent=2) + "\n").encode(), executable=False
            )
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot write {exc.filename}: {exc.strerror}",
            "choose a folder you can write with --dest/--agents-dest",
        ) from exc
    return result
