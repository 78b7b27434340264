"""Migrations written by diff and suggest-indexes take their version from the runner's own create."""

from __future__ import annotations

from pathlib import Path

from stanchion.db.migrations.files import create, load
from stanchion.db.schema.source import write_migration


def test_written_plan_never_duplicates_a_version(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    first = create(folder, "create_users")[0]
    first.write_text(
        "-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n"
    )
    planned = write_migration(
        folder,
        "schema_diff",
        ["ALTER TABLE users ADD COLUMN name TEXT"],
        ["ALTER TABLE users DROP COLUMN name"],
    )
    again = write_migration(
        folder, "schema_diff", ["CREATE INDEX i ON users (name)"], ["DROP INDEX i"], transaction=False
    )
    _, migrations = load(folder, "auto")
    versions = [m.version for m in migrations]
    assert len(versions) == 3 and len(set(versions)) == 3
    assert planned.read_text() == (
        "-- migrate:up\nALTER TABLE users ADD COLUMN name TEXT;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN name;\n"
    )
    assert again.read_text().startswith("-- migrate:up transaction:false\nCREATE INDEX i ON users (name);")


def test_written_plan_follows_a_golang_migrate_folder(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "000001_init.up.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (folder / "000001_init.down.sql").write_text("DROP TABLE t;\n")
    up = write_migration(
        folder, "schema_diff", ["ALTER TABLE t ADD COLUMN w TEXT"], ["ALTER TABLE t DROP COLUMN w"]
    )
    assert up.name == "000002_schema_diff.up.sql"
    assert up.read_text() == "ALTER TABLE t ADD COLUMN w TEXT;\n"
    assert (folder / "000002_schema_diff.down.sql").read_text() == "ALTER TABLE t DROP COLUMN w;\n"
