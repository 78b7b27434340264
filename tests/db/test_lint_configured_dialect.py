"""db lint takes its dialect from a database URL the user configured, never from the SQLite default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanchion.cli.main import main

MIGRATION = "-- migrate:up\nCREATE INDEX users_email_idx ON users (email);\n-- migrate:down\nDROP INDEX users_email_idx;\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("STANCHION_DATABASE_URL", raising=False)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20240101000000_index.sql").write_text(MIGRATION)
    return tmp_path


def _lint(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["db", "lint", "migrations", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_unconfigured_project_gets_postgresql_rules(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = _lint(capsys)
    assert code == 1
    assert document["dialect"] == "postgresql"
    assert "require-concurrent-index-creation" in json.dumps(document)


def test_configured_sqlite_database_gets_sqlite_rules(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///app.db")
    code, document = _lint(capsys)
    assert code == 0
    assert document["dialect"] == "sqlite"
    assert "require-concurrent-index-creation" not in json.dumps(document)


def test_config_file_dialect_is_used(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "stanchion.toml").write_text('database_url = "mysql://app@127.0.0.1/app"\n')
    code, document = _lint(capsys)
    assert code == 0
    assert document["dialect"] == "mysql"
    assert document["findings"] == []
