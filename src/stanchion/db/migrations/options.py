"""Settings the migration commands share: folder, layout, database URL and timeouts."""

from __future__ import annotations

import re
from pathlib import Path

from stanchion.config import Settings, load_settings
from stanchion.errors import UsageError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$", re.I)
_FACTORS = {"ms": 1, "s": 1000, "sec": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000}


def parse_duration_ms(value: str | None, what: str) -> int | None:
    """``"5s"``, ``"500ms"``, ``"2min"`` or a number of seconds, as milliseconds; empty or 0 means none."""
    if value is None or not str(value).strip():
        return None
    match = _DURATION.match(str(value))
    if not match:
        raise UsageError(f"{what}: cannot read duration {value!r}", "write it like 5s, 500ms or 2min")
    number, unit = match.groups()
    ms = round(float(number) * _FACTORS[(unit or "s").lower()])
    return ms or None


def settings(
    database_url: str | None = None, directory: str | Path | None = None, fmt: str | None = None
) -> Settings:
    return load_settings(
        {
            "database_url": database_url,
            "migrations_dir": str(directory) if directory is not None else None,
            "migrations_format": fmt,
        }
    )


def directory_of(values: Settings) -> Path:
    """The migrations folder: relative to the config file's folder when it comes from there."""
    folder = Path(str(values.get("migrations_dir")))
    source = values.sources.get("migrations_dir", "default")
    if not folder.is_absolute() and values.config_file is not None and source == str(values.config_file):
        return values.root / folder
    return folder


def resolve_directory(directory: str | Path | None, fmt: str | None) -> tuple[Path, str]:
    values = settings(None, directory, fmt)
    return directory_of(values), str(values.get("migrations_format"))
