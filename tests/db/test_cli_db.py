"""``stanchion db`` through the CLI: exit codes, one-line errors with hints, --json, confirmation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stanchion.cli.main import main
from tests.db.sets import write
from tests.support.servers import free_port


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CI", "1")
    return tmp_path


def test_workflow_on_default_sqlite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "create", "add_users_table")
    assert code == 0 and out.startswith("created migrations/")
    path = Path(out.split()[1])
    path.write_text("-- migrate:up\nCREATE TABLE users (id integer);\n-- migrate:down\nDROP TABLE users;\n")
    code, out, _ = run(capsys, "db", "migrate", "--dry-run")
    assert code == 0 and "CREATE TABLE users (id integer);" in out
    assert not (project / "stanchion.db").exists()
    code, out, err = run(capsys, "db", "migrate")
    assert code == 0 and "applied" in out and "applying" in err
    code, out, _ = run(capsys, "db", "status", "--json")
    document = json.loads(out)
    assert code == 0 and document["summary"]["applied"] == 1 and not document["needs_attention"]
    code, _, err = run(capsys, "db", "rollback")
    assert code == 2 and "confirmation needed" in err and "--yes" in err
    code, out, _ = run(capsys, "db", "redo", "--yes", "--json")
    assert code == 0 and [s["direction"] for s in json.loads(out)["steps"]] == ["down", "up"]
    code, out, _ = run(capsys, "db", "rollback", "--yes")
    assert code == 0 and "rolled back" in out
    code, out, _ = run(capsys, "db", "rollback", "--yes")
    assert code == 0 and "nothing to roll back" in out
    code, out, _ = run(capsys, "db", "apply", str(path))
    assert code == 0 and out.startswith("applied ")
    assert json.loads(run(capsys, "db", "status", "--json")[1])["summary"]["applied"] == 1


def test_status_exit_1_and_repair_shows_change(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = project / "migrations"
    folder.mkdir()
    path = write(folder, "001_t", "CREATE TABLE t (id integer);", "DROP TABLE t;")
    assert run(capsys, "db", "migrate")[0] == 0
    path.write_text(path.read_text().replace("(id integer)", "(id bigint)"))
    code, out, _ = run(capsys, "db", "status")
    assert code == 1 and "changed" in out
    code, _, err = run(capsys, "db", "migrate")
    assert code == 1 and "001_t.sql: changed since it was applied" in err and "hint:" in err
    code, out, _ = run(capsys, "db", "repair", "--dry-run")
    assert code == 0 and "+CREATE TABLE t (id bigint);" in out
    code, _, err = run(capsys, "db", "repair")
    assert code == 2 and "--yes" in err
    assert run(capsys, "db", "repair", "--yes")[0] == 0
    assert run(capsys, "db", "status")[0] == 0


def test_failed_migration_exit_1_names_file_and_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project / "migrations"
    folder.mkdir()
    write(folder, "001_bad", "CREATE TABLE ok_t (id integer);\nSELECT * FROM nowhere;", "DROP TABLE ok_t;")
    code, _, err = run(capsys, "db", "migrate")
    lines = err.strip().splitlines()
    assert code == 1
    assert lines[-2].startswith(
        "error: migrations/001_bad.sql:3: up migration 001_bad failed at statement 2 of 2"
    )
    assert "no such table: nowhere" in lines[-2] and lines[-1].startswith("hint: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("files", "argv", "needle"),
    [
        (
            {},
            ["db", "status", "--database-url", "oracle://u:pw@h/db"],
            "unknown database URL scheme 'oracle'",
        ),
        ({}, ["db", "status", "--dir", "nowhere"], "migrations folder nowhere does not exist"),
        ({"001_x.sql": "CREATE TABLE t (id integer);"}, ["db", "migrate"], "no '-- migrate:up' section"),
        (
            {"001_a.sql": "-- migrate:up\nSELECT 1;", "001_b.sql": "-- migrate:up\nSELECT 1;"},
            ["db", "migrate"],
            "duplicate migration version 001",
        ),
        (
            {"001_a.sql": "-- migrate:up\nSELECT 1;", "V2__b.sql": "SELECT 1;"},
            ["db", "status"],
            "mixes migration layouts",
        ),
        ({}, ["db", "apply", "missing.sql"], "migration file missing.sql does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], argv: list[str], needle: str
) -> None:
    folder = project / "migrations"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body)
    code, _out, err = run(capsys, *argv)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert (
        len(lines) == 2
        and lines[0].startswith("error: ")
        and needle in lines[0]
        and lines[1].startswith("hint: ")
    )
    assert "pw" not in err


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_unreachable_database_exit_3_masks_password(
    project: Path, capsys: pytest.CaptureFixture[str], scheme: str
) -> None:
    (project / "migrations").mkdir()
    port = free_port()
    code, _, err = run(
        capsys, "db", "status", "--database-url", f"{scheme}://app:s3cret@127.0.0.1:{port}/app"
    )
    assert code == 3
    assert f"127.0.0.1:{port}" in err and "s3cret" not in err and "***" in err
    assert len(err.strip().splitlines()) == 2


def test_every_command_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("create", "migrate", "rollback", "status", "redo", "repair", "apply"):
        code, out, _ = run(capsys, "db", command, "--help")
        assert code == 0 and "Examples:" in out, command


def test_rollback_asks_on_a_terminal(project: Path) -> None:
    import sys

    import pexpect

    folder = project / "migrations"
    folder.mkdir()
    write(folder, "001_t", "CREATE TABLE t (id integer);", "DROP TABLE t;")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    argv = ["-m", "stanchion", "db", "rollback"]
    assert main(["db", "migrate"]) == 0
    child = pexpect.spawn(sys.executable, argv, cwd=str(project), env=env, encoding="utf-8", timeout=30)
    child.expect(r"roll back 001_t on sqlite:///stanchion.db\? \[y/N\]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2  # not confirmed: nothing changed
    child = pexpect.spawn(sys.executable, argv, cwd=str(project), env=env, encoding="utf-8", timeout=30)
    child.expect(r"\[y/N\]")
    child.sendline("y")
    child.expect("rolled back 001_t")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
