"""Layered configuration: flags, then environment, then project file, then defaults.

Sources, highest first:

1. flags given on the command line (passed in as ``overrides``);
2. environment: ``DATABASE_URL`` and ``STANCHION_<KEY>`` (for example ``STANCHION_MIGRATIONS_DIR``);
3. the project file: ``stanchion.toml`` (top-level keys) or ``[tool.stanchion]`` in ``pyproject.toml``,
   found in the working folder or the nearest parent that has one;
4. the defaults below. The embedded default database is SQLite in the working folder.

Each tool may keep its own table (``[tool.stanchion.load]``, ``[tool.stanchion.decide]``, ...), returned
untouched in :attr:`Settings.sections` for that tool to validate. Every value remembers where it came from,
so ``stanchion config`` can show it (with passwords masked).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanchion.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///stanchion.db"

#: key -> (type, default). Keep in step with docs/architecture.md ("Configuration").
KEYS: dict[str, tuple[type, Any]] = {
    "database_url": (str, DEFAULT_DATABASE_URL),
    "migrations_dir": (str, "migrations"),
    "migrations_format": (str, "auto"),
    "lock_timeout": (str, "5s"),
    "statement_timeout": (str, ""),
    "profiles_dir": (str, ""),
}

#: tool tables allowed under [tool.stanchion]; each tool validates its own.
SECTIONS = frozenset({"scaffold", "db", "load", "decide", "skill"})

ENV_PREFIX = "STANCHION_"


@dataclass(frozen=True)
class Settings:
    """The effective configuration and where each value came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    config_file: Path | None = None
    root: Path = field(default_factory=Path.cwd)

    def get(self, key: str) -> Any:
        return self.values[key]

    @property
    def database_url(self) -> str:
        return str(self.values["database_url"])

    def section(self, name: str) -> Mapping[str, Any]:
        return self.sections.get(name, {})


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``stanchion.toml``, or ``pyproject.toml`` with ``[tool.stanchion]``, at or above ``start``."""
    for folder in (start, *start.parents):
        own = folder / "stanchion.toml"
        if own.is_file():
            return own, _read_toml(own)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("stanchion")
            if isinstance(table, dict):
                return pyproject, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when a config file exists: keeps start-up lean

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML ({exc})", "fix the syntax error at the position shown"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc


def _coerce(key: str, value: Any, where: str) -> Any:
    expected, _ = KEYS[key]
    if isinstance(value, expected):
        return value
    if expected is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ConfigError(
        f"{where}: '{key}' must be a {expected.__name__}, got {type(value).__name__} {value!r}",
        f"set {key} to a {expected.__name__} value",
    )


def _unknown_key(key: str, where: str) -> ConfigError:
    import difflib

    close = difflib.get_close_matches(key, [*KEYS, *SECTIONS], n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(KEYS))}"
    return ConfigError(f"{where}: unknown key '{key}'", hint)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the effective settings. ``overrides`` holds flags the user gave (``None`` values are ignored)."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {key: default for key, (_, default) in KEYS.items()}
    sources: dict[str, str] = dict.fromkeys(KEYS, "default")
    sections: dict[str, Mapping[str, Any]] = {}

    found = find_config_file(cwd)
    config_file: Path | None = None
    root = cwd
    if found is not None:
        config_file, table = found
        root = config_file.parent
        where = str(config_file)
        for key, value in table.items():
            if key in SECTIONS:
                if not isinstance(value, dict):
                    raise ConfigError(
                        f"{where}: '{key}' must be a table", f"write it as [tool.stanchion.{key}]"
                    )
                sections[key] = value
                continue
            if key not in KEYS:
                raise _unknown_key(key, where)
            values[key] = _coerce(key, value, where)
            sources[key] = where

    for key in KEYS:
        env_name = "DATABASE_URL" if key == "database_url" else None
        for name in filter(None, (f"{ENV_PREFIX}{key.upper()}", env_name)):
            if environ.get(name):
                values[key] = environ[name]
                sources[key] = f"env {name}"
                break

    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in KEYS:
            raise _unknown_key(key, "flags")
        values[key] = _coerce(key, value, "flags")
        sources[key] = "flag"

    return Settings(values=values, sources=sources, sections=sections, config_file=config_file, root=root)
