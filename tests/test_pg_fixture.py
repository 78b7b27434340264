"""The throwaway PostgreSQL and MariaDB servers are real: connect, create a table, query it."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.servers import MariaDBServer, PostgresServer


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie left for a non-reaping init counts as stopped."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.postgres
def test_postgres_fixture_is_a_real_server(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE widgets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)"
        )
        conn.execute("INSERT INTO widgets (name) VALUES ('a'), ('b')")
        rows = conn.execute("SELECT name FROM widgets ORDER BY id").fetchall()
        version = conn.execute("SHOW server_version").fetchone()
    assert rows == [("a",), ("b",)]
    assert version is not None and version[0].startswith(("15", "16", "17"))


def test_postgres_server_leaves_nothing_behind() -> None:
    server = PostgresServer().start()
    base = server.base
    assert base is not None and (base / "data" / "postmaster.pid").exists()
    pid = int((base / "data" / "postmaster.pid").read_text().splitlines()[0])
    server.stop()
    assert not base.exists()
    assert not _alive(pid)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert str(base) not in ps


@pytest.mark.mariadb
def test_mariadb_fixture_is_a_real_server(mariadb_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(mariadb_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE widgets (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20))"))
        conn.execute(text("INSERT INTO widgets (name) VALUES ('a'), ('b')"))
        rows = conn.execute(text("SELECT name FROM widgets ORDER BY id")).all()
        version = conn.execute(text("SELECT VERSION()")).scalar_one()
    engine.dispose()
    assert [r[0] for r in rows] == ["a", "b"]
    assert "MariaDB" in version


def test_mariadb_server_leaves_nothing_behind() -> None:
    server = MariaDBServer().start()
    base = server.base
    assert base is not None and base.exists()
    server.stop()
    assert not base.exists()
