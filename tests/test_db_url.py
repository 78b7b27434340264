"""Database URLs: dialects, masking, and clear errors for bad or unreachable databases."""

from __future__ import annotations

import pytest

from stanchion.db.url import connect_errors, create_engine, parse_url
from stanchion.errors import EnvironmentProblem, ExitCode, UsageError
from tests.support.servers import free_port


@pytest.mark.parametrize(
    ("raw", "dialect", "driver"),
    [
        ("sqlite:///app.db", "sqlite", "sqlite:///app.db"),
        ("postgres://u:p@h/db", "postgresql", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u@h:6543/db", "postgresql", "postgresql+psycopg://u@h:6543/db"),
        ("mariadb://u:p@h/db", "mysql", "mysql+pymysql://u:p@h/db"),
        ("mysql+pymysql://u@h:3307/db", "mysql", "mysql+pymysql://u@h:3307/db"),
    ],
)
def test_dialects(raw: str, dialect: str, driver: str) -> None:
    url = parse_url(raw)
    assert url.dialect == dialect
    assert url.sqlalchemy_url == driver


def test_masked_str() -> None:
    url = parse_url("postgresql://app:topsecret@db:5433/app")
    assert str(url) == "postgresql://app:***@db:5433/app"
    assert (url.host, url.port, url.database, url.username) == ("db", 5433, "app", "app")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("oracle://x@h/db", "unknown database URL scheme 'oracle'"),
        ("just-a-name", "not a database URL"),
        ("postgresql:///db", "has no host"),
    ],
)
def test_bad_urls(raw: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_url(raw)
    assert message in caught.value.message
    assert caught.value.exit_code == ExitCode.USAGE


def test_unreachable_is_environment_error_with_masked_password() -> None:
    port = free_port()
    url = parse_url(f"postgresql://app:hunter2@127.0.0.1:{port}/app")
    engine = create_engine(url)
    with pytest.raises(EnvironmentProblem) as caught, connect_errors(url):
        engine.connect()
    assert caught.value.exit_code == ExitCode.ENVIRONMENT
    assert f"127.0.0.1:{port}" in caught.value.message
    assert "hunter2" not in caught.value.message and "***" in caught.value.message
