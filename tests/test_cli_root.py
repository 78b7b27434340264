"""The root CLI's conventions: version, help, exit codes, one-line errors, --debug tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stanchion import __version__
from stanchion.cli.main import main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stanchion", *args], capture_output=True, text=True, env=env)


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"stanchion {__version__}"


def test_help_lists_available_tools() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "config" in proc.stdout
    assert "Exit codes" in proc.stdout


def test_unknown_command_is_one_line_exit_2() -> None:
    proc = run("frobnicate")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and "frobnicate" in lines[0]
    assert lines[1].startswith("hint: ")
    assert len(lines) == 2
    assert "Traceback" not in proc.stderr


def test_unknown_flag_is_one_line_exit_2() -> None:
    proc = run("--no-such-flag")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: No such option") and "--no-such-flag" in proc.stderr.splitlines()[0]
    assert "Traceback" not in proc.stderr


def test_stanchion_error_renders_message_and_hint(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "stanchion.toml").write_text("databse_url = 'sqlite:///x.db'\n")  # type: ignore[operator]
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    code = main(["config"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown key 'databse_url'" in err
    assert "did you mean 'database_url'" in err
    assert "Traceback" not in err


def test_debug_shows_traceback(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    (tmp_path / "stanchion.toml").write_text("database_url = [1]\n")  # type: ignore[operator]
    plain = run("config")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert "'database_url' must be a str" in plain.stderr
    debug = run("--debug", "config")
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr


def test_json_goes_to_stdout_and_masks_passwords(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import json
    import os

    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    env = {**os.environ, "DATABASE_URL": "postgresql://app:s3cret@db.internal:5432/app"}
    proc = run("--json", "config", env=env)
    assert proc.returncode == 0
    document = json.loads(proc.stdout)
    assert document["values"]["database_url"] == "postgresql://app:***@db.internal:5432/app"
    assert document["sources"]["database_url"] == "env DATABASE_URL"
    assert "s3cret" not in proc.stdout + proc.stderr


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import stanchion.cli.config_cmd as config_cmd

    def boom(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(config_cmd, "load_settings", boom)
    assert main(["config"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_internal_error_is_reported_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import stanchion.cli.config_cmd as config_cmd

    def boom(*_: object, **__: object) -> None:
        raise ValueError("unexpected")

    monkeypatch.setattr(config_cmd, "load_settings", boom)
    assert main(["config"]) == 70
    err = capsys.readouterr().err
    assert "internal error: ValueError: unexpected" in err and "Traceback" not in err


def test_every_listed_tool_loads_as_a_click_command() -> None:
    import click

    from stanchion.cli.main import root

    ctx = click.Context(root)
    names = root.list_commands(ctx)
    assert {"config", "decide", "skill"} <= set(names)
    for name in names:
        command = root.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.help, f"{name} has no help text"


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "config"],
        ["config", "--json"],
        ["-q", "config", "--json"],
        ["config", "--json", "-q", "--debug"],
        ["--json", "skill", "path", "--quiet"],
        ["skill", "--json", "path"],
    ],
)
def test_global_flags_before_and_after_the_sub_command(args: list[str], tmp_path: object) -> None:
    import json

    proc = subprocess.run(
        [sys.executable, "-m", "stanchion", *args], capture_output=True, text=True, cwd=str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    assert isinstance(json.loads(proc.stdout), dict)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["config", "--no-such-flag", "--json"], 2, "No such option '--no-such-flag'"),
        (["--json", "frobnicate"], 2, "No such command 'frobnicate'"),
        (["db", "status", "--dir", "missing", "--json"], 2, "missing"),
        (["decide", "--team-size", "3", "--json"], 2, "missing required inputs"),
    ],
)
def test_json_errors_are_one_document_on_stdout(
    args: list[str], code: int, message: str, tmp_path: object
) -> None:
    import json

    proc = subprocess.run(
        [sys.executable, "-m", "stanchion", *args], capture_output=True, text=True, cwd=str(tmp_path)
    )
    assert proc.returncode == code
    error = json.loads(proc.stdout)["error"]
    assert set(error) == {"message", "hint", "exit_code"}
    assert error["exit_code"] == code and message in error["message"]
    assert proc.stderr.startswith(f"error: {error['message']}")
    assert "Traceback" not in proc.stderr


def test_debug_after_the_sub_command_shows_the_traceback(tmp_path: object) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stanchion", "db", "status", "--dir", "missing", "--debug"],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
    )
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr


def test_quiet_after_the_sub_command_drops_informational_lines(tmp_path: object) -> None:
    import os
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "migrations").mkdir()
    (folder / "migrations" / "20240101000000_t.sql").write_text(
        "-- migrate:up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE t;\n"
    )

    def migrate(db: str, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / db}"}
        command = [sys.executable, "-m", "stanchion", "db", "migrate", *extra]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=folder)

    loud, quiet = migrate("loud.db"), migrate("quiet.db", "-q")
    assert loud.returncode == 0 and quiet.returncode == 0, quiet.stderr
    assert "applying" in loud.stderr and "applying" not in quiet.stderr
