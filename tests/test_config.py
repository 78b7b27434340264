"""Configuration precedence: flags, then environment, then project file, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanchion.config import DEFAULT_DATABASE_URL, load_settings
from stanchion.errors import ConfigError


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, environ={})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.sources["database_url"] == "default"
    assert settings.config_file is None


def test_precedence_file_env_flag(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.stanchion]\ndatabase_url = 'sqlite:///file.db'\nmigrations_dir = 'db/migrations'\n"
        "[tool.stanchion.load]\nworkers = 2\n"
    )
    nested = tmp_path / "sub" / "dir"
    nested.mkdir(parents=True)
    settings = load_settings(cwd=nested, environ={})
    assert settings.database_url == "sqlite:///file.db"
    assert settings.root == tmp_path
    assert settings.section("load") == {"workers": 2}
    env = {"DATABASE_URL": "sqlite:///env.db", "STANCHION_MIGRATIONS_DIR": "envdir"}
    settings = load_settings(cwd=nested, environ=env)
    assert settings.database_url == "sqlite:///env.db"
    assert settings.get("migrations_dir") == "envdir"
    assert settings.sources["migrations_dir"] == "env STANCHION_MIGRATIONS_DIR"
    settings = load_settings(
        {"database_url": "sqlite:///flag.db", "migrations_dir": None}, cwd=nested, environ=env
    )
    assert settings.database_url == "sqlite:///flag.db"
    assert settings.sources["database_url"] == "flag"
    assert settings.get("migrations_dir") == "envdir"


def test_stanchion_toml_wins_over_pyproject_in_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.stanchion]\ndatabase_url = 'sqlite:///py.db'\n")
    (tmp_path / "stanchion.toml").write_text("database_url = 'sqlite:///own.db'\n")
    assert load_settings(cwd=tmp_path, environ={}).database_url == "sqlite:///own.db"


def test_stanchion_env_beats_database_url(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "sqlite:///a.db", "STANCHION_DATABASE_URL": "sqlite:///b.db"}
    assert load_settings(cwd=tmp_path, environ=env).database_url == "sqlite:///b.db"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("database_url = [", "not valid TOML"),
        ("databse_url = 'x'", "did you mean"),
        ("database_url = true", "must be a str"),
        ("load = 3", "must be a table"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "stanchion.toml").write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, environ={})
    assert message in (caught.value.message + (caught.value.hint or ""))
