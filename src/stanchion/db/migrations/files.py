"""Migration files: the layouts Stanchion reads, the dbmate section format, and creating new files.

Layouts (``--format``):

* ``stanchion`` / ``dbmate``: one file ``<version>_<name>.sql`` with ``-- migrate:up`` and
  ``-- migrate:down`` sections; ``-- migrate:up transaction:false`` runs the up section outside a
  transaction (dbmate's own syntax; the same option works on the down marker).
* ``golang-migrate``: ``<version>_<name>.up.sql`` and ``<version>_<name>.down.sql``.
* ``flyway``: ``V<version>__<name>.sql`` and ``U<version>__<name>.sql`` (undo); versions like ``1.2``.
* ``prisma``: ``<timestamp>_<name>/migration.sql``; no down sections.

``auto`` picks the layout from the files present and refuses a folder that mixes layouts. File names are
matched with patterns; SQL itself is never split here (see :mod:`stanchion.db.dialects`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from stanchion.errors import UsageError
from stanchion.paths import check_output_path

LAYOUTS = ("stanchion", "dbmate", "golang-migrate", "flyway", "prisma")
FORMATS = ("auto", *LAYOUTS)

_GOLANG = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")
_DBMATE = re.compile(r"^(\d+)_?(.*)\.sql$")
_FLYWAY = re.compile(r"^([VUR])((?:\d+(?:[._]\d+)*)?)__(.+)\.sql$")
_PRISMA_DIR = re.compile(r"^(\d+)_(.+)$")
_MARKER_LINE = re.compile(r"^[ \t]*--[ \t]*migrate:(up|down)\b([^\n]*)$", re.MULTILINE)
_VERSION_PARTS = re.compile(r"[._]")


@dataclass(frozen=True)
class Migration:
    """One migration as read from disk."""

    version: str
    name: str
    path: Path
    up: str
    down: str | None
    layout: str
    transaction: bool = True
    down_transaction: bool = True
    up_line: int = 1
    down_line: int = 1
    down_path: Path | None = None

    @property
    def checksum(self) -> str:
        return checksum(self.up)

    @property
    def sort_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}" if self.name else self.version


def checksum(sql: str) -> str:
    """SHA-256 of a section, independent of line-ending style."""
    return hashlib.sha256(sql.replace("\r\n", "\n").encode()).hexdigest()


@functools.cache
def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _VERSION_PARTS.split(version) if part.isdigit())


def parse_sections(path: Path, text: str, version: str, name: str, layout: str) -> Migration:
    """Read a dbmate-style file: ``-- migrate:up [transaction:false]`` and ``-- migrate:down`` sections.

    A section runs from the line after its marker to the next marker (or the end of the file); text before
    the first marker is ignored. Markers are found with one multiline search, not line by line, so
    reading a thousand files stays cheap.
    """
    sections: dict[str, str] = {}
    options: dict[str, str] = {}
    starts: dict[str, int] = {}
    markers = list(_MARKER_LINE.finditer(text))
    for index, match in enumerate(markers):
        current = match.group(1)
        number = text.count("\n", 0, match.start()) + 1
        if current in sections:
            raise UsageError(
                f"{path}:{number}: a second '-- migrate:{current}' section",
                "keep one up and at most one down section per file",
            )
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        sections[current] = text[match.end() + 1 : end]
        options[current] = match.group(2).strip()
        starts[current] = number + 1
        for option in options[current].split():
            if option not in ("transaction:false", "transaction:true"):
                raise UsageError(
                    f"{path}:{number}: unknown option '{option}' on the migrate:{current} line",
                    "the only option is transaction:false",
                )
    if "up" not in sections:
        raise UsageError(
            f"{path}: no '-- migrate:up' section",
            "start the file with a '-- migrate:up' line, then the SQL, then '-- migrate:down' and its SQL",
        )
    return Migration(
        version=version,
        name=name,
        path=path,
        up=sections["up"],
        down=sections.get("down"),
        layout=layout,
        transaction="transaction:false" not in options["up"],
        down_transaction="transaction:false" not in options.get("down", ""),
        up_line=starts["up"],
        down_line=starts.get("down", 1),
    )


def _read(path: Path) -> str:
    try:
        with open(path, "rb", buffering=0) as handle:  # one read, no buffer object: status reads thousands
            return handle.readall().decode()
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason})", "save the file as UTF-8") from exc


def classify(entry: Path, is_dir: bool | None = None) -> str | None:
    """The layout an entry of a migrations folder belongs to, or None when it is not a migration."""
    name = entry.name
    if name.startswith("."):
        return None
    if name.endswith(".sql") and not is_dir:
        if _GOLANG.match(name):
            return "golang-migrate"
        if _FLYWAY.match(name):
            return "flyway"
        if _DBMATE.match(name):
            return "dbmate"
        return "unknown" if is_dir is False or entry.is_file() else None
    if is_dir if is_dir is not None else entry.is_dir():
        return "prisma" if _PRISMA_DIR.match(name) and (entry / "migration.sql").is_file() else None
    return None


def _entries(directory: Path) -> list[tuple[Path, str]]:
    """The migration entries of ``directory`` with their layouts, in name order (one directory scan)."""
    found = []
    with os.scandir(directory) as scan:
        for item in scan:
            path = directory / item.name
            kind = classify(path, item.is_dir())
            if kind == "unknown":
                raise UsageError(
                    f"{path}: not a migration file name in any known layout",
                    "name it <version>_<name>.sql (dbmate), <version>_<name>.up.sql (golang-migrate) "
                    "or V<version>__<name>.sql (flyway), or move it out of the folder",
                )
            if kind is not None:
                found.append((path, kind))
    found.sort(key=lambda pair: pair[0].name)
    return found


def _single_layout(directory: Path, entries: list[tuple[Path, str]]) -> str | None:
    found: dict[str, list[str]] = {}
    for path, kind in entries:
        found.setdefault(kind, []).append(path.name)
    if len(found) > 1:
        parts = "; ".join(
            f"{kind}: {names[0]}" + (" ..." if len(names) > 1 else "") for kind, names in found.items()
        )
        raise UsageError(
            f"{directory} mixes migration layouts ({parts})",
            "keep one layout per folder, or pass --format to choose one",
        )
    return next(iter(found), None)


def detect_layout(directory: Path) -> str | None:
    """The single layout of ``directory``'s files (None when empty); UsageError for a mixed folder."""
    return _single_layout(directory, _entries(directory))


def load(directory: Path, layout: str = "auto") -> tuple[str, list[Migration]]:
    """Every migration in ``directory``, sorted by version, and the layout used."""
    if layout not in FORMATS:
        raise UsageError(f"unknown migration format '{layout}'", f"use one of: {', '.join(FORMATS)}")
    if not directory.is_dir():
        raise UsageError(
            f"migrations folder {directory} does not exist",
            "create a migration with 'stanchion db create NAME', or pass --dir",
        )
    entries = _entries(directory)
    if layout == "auto":
        layout = _single_layout(directory, entries) or "stanchion"
    family = "dbmate" if layout in ("stanchion", "dbmate") else layout
    migrations: list[Migration] = []
    downs: dict[str, tuple[Path, str]] = {}
    for entry, kind in entries:
        if kind != family:
            raise UsageError(
                f"{entry}: does not match the {layout} layout",
                "keep one layout per folder, or pass the right --format",
            )
        migration, down = _read_entry(entry, layout)
        if down is not None:
            downs[down[0]] = (entry, down[1])
        if migration is not None:
            migrations.append(migration)
    by_version: dict[tuple[int, ...], Migration] = {}
    for migration in migrations:
        other = by_version.get(migration.sort_key)
        if other is not None:
            raise UsageError(
                f"duplicate migration version {migration.version}: {other.path.name} and {migration.path.name}",
                "give one of them a new version (rename the file)",
            )
        by_version[migration.sort_key] = migration
    for version, (path, text) in downs.items():
        key = version_key(version)
        if key not in by_version:
            raise UsageError(
                f"{path}: a down migration without its up migration", "add the up file or remove it"
            )
        up = by_version[key]
        by_version[key] = Migration(**{**up.__dict__, "down": text, "down_path": path, "down_line": 1})
    return layout, [by_version[key] for key in sorted(by_version)]


def _read_entry(entry: Path, layout: str) -> tuple[Migration | None, tuple[str, str] | None]:
    name = entry.name
    if layout in ("stanchion", "dbmate"):
        match = _DBMATE.match(name)
        assert match is not None
        return parse_sections(entry, _read(entry), match.group(1), match.group(2), layout), None
    if layout == "golang-migrate":
        match = _GOLANG.match(name)
        assert match is not None
        version, label, direction = match.groups()
        if direction == "down":
            return None, (version, _read(entry))
        return Migration(version, label, entry, _read(entry), None, layout), None
    if layout == "flyway":
        match = _FLYWAY.match(name)
        assert match is not None
        kind, raw_version, label = match.groups()
        if kind == "R":
            raise UsageError(
                f"{entry}: Flyway repeatable migrations (R__) are not supported",
                "turn it into a versioned migration (V<n>__name.sql)",
            )
        version = raw_version.replace("_", ".")
        if kind == "U":
            return None, (version, _read(entry))
        return Migration(version, label, entry, _read(entry), None, layout), None
    match = _PRISMA_DIR.match(name)
    assert match is not None
    path = entry / "migration.sql"
    return Migration(match.group(1), match.group(2), path, _read(path), None, layout), None


def read_file(path: Path) -> Migration:
    """One migration file given on its own (``stanchion db apply FILE``), in any layout."""
    if not path.is_file():
        raise UsageError(f"migration file {path} does not exist", "check the path")
    text = _read(path)
    kind = classify(path)
    if kind == "golang-migrate":
        match = _GOLANG.match(path.name)
        assert match is not None
        return Migration(match.group(1), match.group(2), path, text, None, kind)
    if kind == "flyway":
        match = _FLYWAY.match(path.name)
        assert match is not None and match.group(1) == "V"
        return Migration(match.group(2).replace("_", "."), match.group(3), path, text, None, kind)
    match = _DBMATE.match(path.name)
    version, name = (match.group(1), match.group(2)) if match else (path.stem, "")
    if _MARKER_LINE.search(text):
        return parse_sections(path, text, version, name, "stanchion")
    return Migration(version, name, path, text, None, "plain")


def slug(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not cleaned:
        raise UsageError(
            f"migration name {name!r} has no letters or digits", "use a name like add_users_table"
        )
    return cleaned


def create(directory: Path, name: str, layout: str = "auto", no_transaction: bool = False) -> list[Path]:
    """Write a new, empty migration in ``directory`` (created if missing); returns the files written."""
    label = slug(name)
    check_output_path(directory, folder=True, label="migrations folder")
    directory.mkdir(parents=True, exist_ok=True)
    existing_layout, existing = load(directory, layout)
    layout = existing_layout
    if no_transaction and layout not in ("stanchion", "dbmate"):
        raise UsageError(
            f"the {layout} layout has no no-transaction marker",
            "Stanchion runs statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY) "
            "outside one automatically in this layout",
        )
    keys = [m.sort_key for m in existing]
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    if layout == "flyway":
        number = str((max(keys)[0] if keys else 0) + 1)
        files = {f"V{number}__{label}.sql": "", f"U{number}__{label}.sql": ""}
    elif layout == "golang-migrate" and existing and len(existing[-1].version) < 14:
        width = len(existing[-1].version)
        version = str(max(keys)[0] + 1).zfill(width)
        files = {f"{version}_{label}.up.sql": "", f"{version}_{label}.down.sql": ""}
    else:
        numbers = [k[0] for k in keys if k]
        if numbers and max(numbers) >= int(stamp):
            stamp = str(max(numbers) + 1)
        if layout == "golang-migrate":
            files = {f"{stamp}_{label}.up.sql": "", f"{stamp}_{label}.down.sql": ""}
        elif layout == "prisma":
            files = {f"{stamp}_{label}/migration.sql": ""}
        else:
            option = " transaction:false" if no_transaction else ""
            files = {f"{stamp}_{label}.sql": f"-- migrate:up{option}\n\n\n-- migrate:down{option}\n\n"}
    written = []
    for relative, body in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(body)
        written.append(path)
    return written
