"""Layouts: dbmate/stanchion, golang-migrate, Flyway and Prisma folders read as they are; bad folders and
files refused with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

import stanchion.db as db
from stanchion.db.migrations import files
from stanchion.errors import UsageError
from tests.db.sets import write


def sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


def test_golang_migrate_folder(tmp_path: Path) -> None:
    folder = tmp_path / "golang"
    folder.mkdir()
    (folder / "000001_init.up.sql").write_text("CREATE TABLE users (id integer primary key);\n")
    (folder / "000001_init.down.sql").write_text("DROP TABLE users;\n")
    (folder / "000002_email.up.sql").write_text(
        "BEGIN;\nALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email ON users (email);\nCOMMIT;\n"
    )
    (folder / "000002_email.down.sql").write_text(
        "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;\n"
    )
    layout, migrations = files.load(folder)
    assert layout == "golang-migrate"
    assert [(m.version, m.name, m.down is not None) for m in migrations] == [
        ("000001", "init", True),
        ("000002", "email", True),
    ]
    result = db.migrate(sqlite(tmp_path), directory=folder)
    # the file's own BEGIN/COMMIT is dropped: the runner opens the transaction itself
    assert result.steps[1].statements == [
        "ALTER TABLE users ADD COLUMN email text",
        "CREATE INDEX users_email ON users (email)",
    ]
    db.rollback(sqlite(tmp_path), directory=folder, steps=2)
    created = db.create("add_posts", directory=folder)
    assert [p.name for p in created.files] == ["000003_add_posts.up.sql", "000003_add_posts.down.sql"]


def test_flyway_folder_orders_dotted_versions(tmp_path: Path) -> None:
    folder = tmp_path / "flyway"
    folder.mkdir()
    (folder / "V1__init.sql").write_text("CREATE TABLE a (id integer);")
    (folder / "U1__init.sql").write_text("DROP TABLE a;")
    (folder / "V1.10__later.sql").write_text("CREATE TABLE c (id integer);")
    (folder / "V1_2__more.sql").write_text("CREATE TABLE b (id integer);")
    layout, migrations = files.load(folder, "flyway")
    assert layout == "flyway"
    assert [m.version for m in migrations] == ["1", "1.2", "1.10"]
    assert migrations[0].down == "DROP TABLE a;"
    db.migrate(sqlite(tmp_path), directory=folder)
    with pytest.raises(UsageError, match=r"V1.10__later.sql: has no down section"):
        db.rollback(sqlite(tmp_path), directory=folder)
    created = db.create("next", directory=folder)
    assert sorted(p.name for p in created.files) == ["U2__next.sql", "V2__next.sql"]
    (folder / "R__views.sql").write_text("SELECT 1;")
    with pytest.raises(UsageError, match="repeatable migrations"):
        files.load(folder)


def test_prisma_folder(tmp_path: Path) -> None:
    folder = tmp_path / "prisma"
    (folder / "20240101000000_init").mkdir(parents=True)
    (folder / "20240101000000_init" / "migration.sql").write_text(
        '-- CreateTable\nCREATE TABLE "User" (id INTEGER);\n'
    )
    (folder / "migration_lock.toml").write_text('provider = "sqlite"\n')
    layout, migrations = files.load(folder)
    assert layout == "prisma" and migrations[0].name == "init"
    db.migrate(sqlite(tmp_path), directory=folder)
    with pytest.raises(UsageError, match="has no down section"):
        db.rollback(sqlite(tmp_path), directory=folder)
    created = db.create("posts", directory=folder)
    assert created.files[0].name == "migration.sql" and created.files[0].parent.name.endswith("_posts")


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_flyway_concurrent_index_runs_outside_a_transaction(engine: str, db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "fw"
    folder.mkdir()
    (folder / "V1__t.sql").write_text("CREATE TABLE t (id integer);")
    (folder / "V2__idx.sql").write_text("CREATE INDEX CONCURRENTLY t_id ON t (id);")
    result = db.migrate(db_url, directory=folder)
    assert [s.transaction for s in result.steps] == [True, False]


def test_dbmate_sections_and_options(tmp_path: Path) -> None:
    path = tmp_path / "20240101000000_x.sql"
    path.write_text("-- header\n-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\nSELECT 2;\n")
    migration = files.read_file(path)
    assert (migration.transaction, migration.down_transaction, migration.up_line) == (False, True, 3)
    path.write_text("-- migrate:up transaction:maybe\nSELECT 1;\n")
    with pytest.raises(UsageError, match="unknown option 'transaction:maybe'"):
        files.read_file(path)


def test_section_bounds_line_numbers_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "20240101000000_x.sql"
    text = "-- a note\r\n\r\n  -- migrate:up\r\nCREATE TABLE t (x int);\r\n--migrate:down\r\nDROP TABLE t;"
    path.write_bytes(text.encode())
    migration = files.read_file(path)
    assert migration.up == "CREATE TABLE t (x int);\r\n"
    assert migration.down == "DROP TABLE t;"
    assert (migration.up_line, migration.down_line) == (4, 6)
    assert migration.checksum == files.checksum("CREATE TABLE t (x int);\n")
    path.write_text("-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 3;\n")
    with pytest.raises(UsageError, match=r":5: a second '-- migrate:up' section"):
        files.read_file(path)
    path.write_text("-- migrate:upgrade\nSELECT 1;\n")
    with pytest.raises(UsageError, match="no '-- migrate:up' section"):
        files.load(tmp_path)


def test_create_names_and_no_transaction(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    first = db.create("Add users table", directory=folder).files[0]
    second = db.create("add_users_table", directory=folder, no_transaction=True).files[0]
    assert first.name.endswith("_add_users_table.sql") and len(first.name.split("_")[0]) == 14
    assert second.name.split("_")[0] > first.name.split("_")[0]  # same second: the version still moves on
    assert second.read_text().startswith("-- migrate:up transaction:false\n")
    with pytest.raises(UsageError, match="no letters or digits"):
        db.create("!!!", directory=folder)


def test_bad_folders(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        files.load(tmp_path / "nope")
    folder = tmp_path / "m"
    folder.mkdir()
    write(folder, "001_a", "SELECT 1;", "SELECT 1;")
    write(folder, "001_b", "SELECT 1;", "SELECT 1;")
    with pytest.raises(UsageError, match=r"duplicate migration version 001: 001_a\.sql and 001_b\.sql"):
        files.load(folder)
    (folder / "001_b.sql").unlink()
    (folder / "002_c.up.sql").write_text("SELECT 1;")
    with pytest.raises(UsageError, match="mixes migration layouts"):
        files.load(folder)
    (folder / "002_c.up.sql").unlink()
    (folder / "002_no_up.sql").write_text("CREATE TABLE t (id integer);\n")
    with pytest.raises(UsageError, match=r"002_no_up\.sql: no .-- migrate:up. section"):
        files.load(folder)
    (folder / "002_no_up.sql").unlink()
    (folder / "schema.sql").write_text("SELECT 1;")
    with pytest.raises(UsageError, match=r"schema\.sql: not a migration file name"):
        files.load(folder)
    with pytest.raises(UsageError, match="unknown migration format"):
        files.load(folder, "liquibase")
