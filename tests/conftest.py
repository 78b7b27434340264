"""Suite-wide fixtures: throwaway PostgreSQL and MariaDB servers, and a fresh database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.support.servers import MariaDBServer, PostgresServer

# No test passes or fails on how fast the machine is: Hypothesis's per-example deadline (200 ms by default)
# and its too-slow health check are clocks, so the whole suite runs without them.
settings.register_profile("stanchion", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("stanchion")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, removed afterwards."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    """A URL to a new, empty PostgreSQL database, dropped after the test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url_for(name)
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """One MariaDB server for the whole session, removed afterwards."""
    server = MariaDBServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mariadb_url(mariadb_server: MariaDBServer) -> Iterator[str]:
    """A URL to a new, empty MariaDB database, dropped after the test."""
    import pymysql

    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = pymysql.connect(
        host="127.0.0.1", port=mariadb_server.port, user="stanchion", password="stanchion", autocommit=True
    )
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    conn.close()
    yield mariadb_server.url_for(name)
    conn = pymysql.connect(
        host="127.0.0.1", port=mariadb_server.port, user="stanchion", password="stanchion", autocommit=True
    )
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    conn.close()
