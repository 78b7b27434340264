"""Taking over from another tool: a database that dbmate, golang-migrate, Flyway or Prisma already migrated
keeps those migrations applied; only newer ones run."""

from __future__ import annotations

from pathlib import Path

import pytest

import stanchion.db as db
from stanchion.db.dialects import dialect_for
from stanchion.db.dialects.base import query
from stanchion.errors import CheckFailed
from tests.db.sets import write


def run_sql(url: str, *statements: str) -> None:
    conn = dialect_for(url).connect()
    try:
        for statement in statements:
            query(conn, statement)
    finally:
        conn.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_adopts_dbmate_history(engine: str, db_url: str, migrations_dir: Path) -> None:
    write(migrations_dir, "20240101000000_users", "CREATE TABLE users (id integer);", "DROP TABLE users;")
    write(migrations_dir, "20240102000000_posts", "CREATE TABLE posts (id integer);", "DROP TABLE posts;")
    run_sql(
        db_url,
        "CREATE TABLE users (id integer)",
        "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)",
        "INSERT INTO schema_migrations (version) VALUES ('20240101000000')",
    )
    status = db.status(db_url, directory=migrations_dir)
    assert [e.state for e in status.entries] == ["applied", "pending"]
    assert status.entries[0].applied_by == "adopted from dbmate (schema_migrations)"
    plan = db.migrate(db_url, directory=migrations_dir, dry_run=True)
    assert [s.version for s in plan.steps] == ["20240102000000"]
    assert "would be recorded" in plan.warnings[0]
    result = db.migrate(db_url, directory=migrations_dir)
    assert [s.version for s in result.steps] == ["20240102000000"]
    assert "1 migration already applied by dbmate" in result.warnings[0]
    assert [e.state for e in db.status(db_url, directory=migrations_dir).entries] == ["applied", "applied"]


def test_adopts_golang_migrate_and_refuses_dirty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    folder = tmp_path / "m"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"{n}_t{n}.up.sql").write_text(f"CREATE TABLE t{n} (id integer);")
        (folder / f"{n}_t{n}.down.sql").write_text(f"DROP TABLE t{n};")
    run_sql(
        url,
        "CREATE TABLE t1 (id integer)",
        "CREATE TABLE t2 (id integer)",
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
        "INSERT INTO schema_migrations VALUES (2, 1)",
    )
    with pytest.raises(CheckFailed, match="dirty at version 2"):
        db.migrate(url, directory=folder)
    run_sql(url, "UPDATE schema_migrations SET dirty = 0")
    assert [s.version for s in db.migrate(url, directory=folder).steps] == ["3"]


def test_adopts_flyway_and_prisma(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fw.db'}"
    flyway = tmp_path / "flyway"
    flyway.mkdir()
    (flyway / "V1__a.sql").write_text("CREATE TABLE a (id integer);")
    (flyway / "V1.1__b.sql").write_text("CREATE TABLE b (id integer);")
    run_sql(
        url,
        "CREATE TABLE a (id integer)",
        "CREATE TABLE flyway_schema_history (version varchar(50), success boolean)",
        "INSERT INTO flyway_schema_history VALUES ('1', 1), (NULL, 1)",
    )
    assert [s.version for s in db.migrate(url, directory=flyway).steps] == ["1.1"]

    url = f"sqlite:///{tmp_path / 'prisma.db'}"
    prisma = tmp_path / "prisma"
    for name, table in (("20240101000000_init", "a"), ("20240102000000_more", "b")):
        (prisma / name).mkdir(parents=True)
        (prisma / name / "migration.sql").write_text(f"CREATE TABLE {table} (id integer);")
    run_sql(
        url,
        "CREATE TABLE a (id integer)",
        "CREATE TABLE _prisma_migrations (migration_name text, finished_at text, rolled_back_at text)",
        "INSERT INTO _prisma_migrations VALUES ('20240101000000_init', '2024-01-01', NULL)",
    )
    assert [s.version for s in db.migrate(url, directory=prisma).steps] == ["20240102000000"]
