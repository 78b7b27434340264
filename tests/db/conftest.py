"""Fixtures for the db tool's tests: one database per engine (SQLite file, PostgreSQL, MariaDB)."""

from __future__ import annotations

from pathlib import Path

import pytest

ENGINES = ("sqlite", "postgresql", "mysql")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine under test; each test using it runs once per engine."""
    kind: str = request.param
    return kind


@pytest.fixture
def db_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of ``engine``."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    if engine == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    url = request.getfixturevalue("mariadb_url")
    return url


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    return folder
