"""Loading profiles: the built-ins shipped as JSON, plus custom ones from a folder, validated by the schema.

A custom profile with the id of a built-in replaces it (a copy with changed constraints, thresholds and
approvers); a new id adds a profile. Every problem names the file and the JSON path (``$.thresholds.p99_ms``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stanchion.decide.schema import Profile
from stanchion.errors import ConfigError

#: the built-ins, in the order ties are broken.
BUILTIN_IDS: tuple[str, ...] = (
    "node-express",
    "fastapi-python",
    "django-monolith",
    "go-or-rust-microservice",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile file."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "path": self.path, "message": self.message}


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    source: str  # "built-in" or the file path
    overrides_builtin: bool = False


@dataclass
class Catalog:
    """The profiles in effect, in tie-break order (built-ins first, then custom ones by file name)."""

    profiles: list[LoadedProfile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, profile_id: str) -> LoadedProfile:
        for loaded in self.profiles:
            if loaded.profile.id == profile_id:
                return loaded
        known = ", ".join(p.profile.id for p in self.profiles)
        raise ConfigError(f"no profile named '{profile_id}'", f"known profiles: {known}")

    def raise_for_problems(self) -> None:
        """ConfigError (exit 2) naming the first problem and how many more there are."""
        if not self.problems:
            return
        more = len(self.problems) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(
            f"invalid profile {self.problems[0]}{extra}",
            "fix the profile; 'stanchion decide profiles validate DIR' lists every problem",
        )


def json_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as a JSON path: ``('approvers', 1, 'role')`` -> ``$.approvers[1].role``."""
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _problems_from(error: ValidationError, file: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] not in ("missing", "extra_forbidden") and not isinstance(item.get("input"), dict):
            message += f" (got {json.dumps(item.get('input'), default=str)})"
        problems.append(Problem(file, json_path(tuple(item["loc"])), message))
    return problems


def parse_profile(text: str, file: str) -> tuple[Profile | None, list[Problem]]:
    """Parse and validate one profile document."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(file, "$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        ]
    if not isinstance(data, dict):
        return None, [Problem(file, "$", f"a profile is a JSON object, got {type(data).__name__}")]
    try:
        return Profile.model_validate(data), []
    except ValidationError as exc:
        return None, _problems_from(exc, file)


def builtin_profiles() -> list[Profile]:
    """The shipped profiles; a problem here is a defect in Stanchion, so it raises."""
    folder = resources.files("stanchion.decide") / "profiles"
    loaded = []
    for profile_id in BUILTIN_IDS:
        text = (folder / f"{profile_id}.json").read_text(encoding="utf-8")
        profile, problems = parse_profile(text, f"built-in {profile_id}.json")
        if profile is None:
            raise RuntimeError("; ".join(map(str, problems)))
        loaded.append(profile)
    return loaded


def _custom_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise ConfigError(f"profiles folder not found: {folder}", "pass an existing folder with --profiles")
    if folder.is_file():
        return [folder]
    files = sorted(folder.glob("*.json"))
    if not files:
        raise ConfigError(
            f"no *.json profiles in {folder}", "copy one: stanchion decide profiles show ID --json"
        )
    return files


def load_catalog(profiles_dir: Path | str | None = None) -> Catalog:
    """Built-ins plus the custom profiles in ``profiles_dir`` (a folder of ``*.json``, or one file).

    Problems are collected, not raised: call :meth:`Catalog.raise_for_problems` before deciding.
    """
    catalog = Catalog([LoadedProfile(p, "built-in") for p in builtin_profiles()])
    if profiles_dir is None or str(profiles_dir) == "":
        return catalog
    seen: dict[str, str] = {}
    for path in _custom_files(Path(profiles_dir)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            catalog.problems.append(Problem(str(path), "$", f"cannot read: {exc}"))
            continue
        profile, problems = parse_profile(text, str(path))
        catalog.problems.extend(problems)
        if profile is None:
            continue
        if profile.id in seen:
            catalog.problems.append(
                Problem(str(path), "$.id", f"'{profile.id}' is already defined in {seen[profile.id]}")
            )
            continue
        seen[profile.id] = str(path)
        index = next((i for i, p in enumerate(catalog.profiles) if p.profile.id == profile.id), None)
        if index is None:
            catalog.profiles.append(LoadedProfile(profile, str(path)))
        else:
            catalog.profiles[index] = LoadedProfile(profile, str(path), overrides_builtin=True)
    return catalog


def validate_profiles(target: Path | str) -> list[Problem]:
    """Every problem in ``target`` (a folder of profiles or one file); empty when all are valid."""
    catalog = load_catalog(target)
    return catalog.problems
