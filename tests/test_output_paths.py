"""Output paths that cannot be written: one line and exit 2 or 3, before any work, never an internal error.

The "unwritable" cases do not rely on chmod: the suite may run as root, which writes through any mode bits.
They use /sys (sysfs refuses new entries to root too: EACCES/EPERM) and /proc (ENOENT on create), where a
create fails for real; "parent is a file" uses a path under a regular file (ENOTDIR for everyone).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stanchion.errors import EnvironmentProblem, ExitCode, StanchionError, UsageError
from stanchion.paths import check_output_path

SYS = Path("/sys/kernel")
PROC = Path("/proc")


def _refuses(folder: Path) -> bool:
    """True when creating an entry in ``folder`` really fails here (the premise of the exit-3 cases)."""
    try:
        os.mkdir(folder / ".stanchion-premise")
    except OSError:
        return True
    os.rmdir(folder / ".stanchion-premise")
    return False


needs_sysfs = pytest.mark.skipif(not _refuses(SYS), reason="/sys/kernel accepts new entries here")


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return path


@pytest.mark.parametrize("folder", [True, False])
def test_parent_is_a_file_is_a_usage_error(a_file: Path, folder: bool) -> None:
    with pytest.raises(UsageError) as caught:
        check_output_path(a_file / "deeper" / "out", folder=folder, label="--output")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message == (
        f"cannot write --output {a_file / 'deeper' / 'out'}: {a_file} is a file, not a folder"
    )


def test_a_file_where_a_folder_is_needed_and_the_reverse(a_file: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="it is a file, not a folder"):
        check_output_path(a_file, folder=True, label="--dir")
    with pytest.raises(UsageError, match="it is a folder, not a file"):
        check_output_path(tmp_path, folder=False, label="--save")


@needs_sysfs
@pytest.mark.parametrize("folder", [True, False])
@pytest.mark.parametrize("depth", [0, 2])
def test_unwritable_folder_is_an_environment_problem(folder: bool, depth: int) -> None:
    path = SYS.joinpath(*(["missing"] * depth), "out")
    with pytest.raises(EnvironmentProblem) as caught:
        check_output_path(path, folder=folder, label="--dest")
    assert caught.value.exit_code == ExitCode.ENVIRONMENT
    assert caught.value.message.startswith(f"cannot write --dest {path}: {SYS}: ")
    assert "\n" not in caught.value.message


def test_pseudo_file_system_is_an_environment_problem() -> None:
    with pytest.raises(EnvironmentProblem, match="accepts no new files"):
        check_output_path(PROC / "stanchion" / "out.json", folder=False, label="--save")


def test_writable_paths_pass_and_nothing_is_left_behind(tmp_path: Path, a_file: Path) -> None:
    assert (
        check_output_path(tmp_path / "new" / "deep" / "r.json", folder=False) == tmp_path / "new/deep/r.json"
    )
    assert check_output_path(tmp_path / "new-folder", folder=True) == tmp_path / "new-folder"
    assert check_output_path(tmp_path, folder=True) == tmp_path
    assert check_output_path(a_file, folder=False) == a_file  # overwriting an existing file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert a_file.read_text() == "not a folder\n"


def test_unusable_names_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="NUL"):
        check_output_path(f"{tmp_path}/a\x00b", folder=False)
    with pytest.raises(StanchionError) as caught:
        check_output_path(tmp_path / ("x" * 300) / "out", folder=True)
    assert caught.value.exit_code == ExitCode.USAGE


# -- every command that writes files ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "data" / "openapi" / "oai-examples" / "petstore.yaml"
OLD_SQL = "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"
NEW_SQL = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"
FK_SQL = "CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));\n"
GRILL = (
    "read-write-ratio: '20:1'\nqps-p99: 50\ntenancy: shared-multi-tenant\ncommunication: sync\n"
    "data-sensitivity: pii\nteam-size: 8\npattern: modular-monolith\nlanguage-preference: typescript\n"
    "rpo: 15m\nrto: 1h\nslo: 99.9\nerror-budget-consumer: checkout-team\n"
)


class Hits(BaseHTTPRequestHandler):
    """Counts the requests it answers: a check made after the run would show up here."""

    count = 0

    def do_GET(self) -> None:
        Hits.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _files(tmp: Path) -> None:
    (tmp / "old.sql").write_text(OLD_SQL)
    (tmp / "new.sql").write_text(NEW_SQL)
    (tmp / "fk.sql").write_text(FK_SQL)
    (tmp / "answers.yaml").write_text(GRILL)


#: command -> argv with the output path P (a folder unless the name ends in a file suffix)
COMMANDS: dict[str, Callable[[str, str], list[str]]] = {
    "scaffold new PATH": lambda p, u: ["scaffold", "new", f"{p}/svc"],
    "scaffold new --dir": lambda p, u: ["scaffold", "new", "svc", "--dir", p],
    "scaffold routes --output": lambda p, u: [
        "scaffold",
        "routes",
        str(SPEC),
        "--framework",
        "express",
        "--output",
        p,
    ],
    "scaffold verify --cache-dir": lambda p, u: ["scaffold", "verify", "project", "--cache-dir", p],
    "db create --dir": lambda p, u: ["db", "create", "add_users", "--dir", p],
    "db diff --output": lambda p, u: [
        "db",
        "diff",
        "--from",
        "old.sql",
        "--to",
        "new.sql",
        "--dialect",
        "sqlite",
        "--output",
        p,
    ],
    "db suggest-indexes --output": lambda p, u: ["db", "suggest-indexes", "fk.sql", "--output", p],
    "load --save": lambda p, u: ["load", u, "-n", "5", "-c", "1", "--save", f"{p}/report.json"],
    "load --hdr-log": lambda p, u: ["load", u, "-n", "5", "-c", "1", "--hdr-log", f"{p}/run.hlog"],
    "skill install --dest": lambda p, u: ["skill", "install", "--dest", p, "--agents-dest", "agents"],
    "skill install --agents-dest": lambda p, u: ["skill", "install", "--dest", "skill", "--agents-dest", p],
    "decide grill --out": lambda p, u: ["decide", "grill", "--answers", "answers.yaml", "--out", p],
}

#: where the output path goes, and the exit code that says why it cannot
PLACES: dict[str, tuple[Callable[[Path], Path], int]] = {
    "parent-is-a-file": (lambda tmp: tmp / "a-file" / "out", ExitCode.USAGE),
    "folder-is-a-file": (lambda tmp: tmp / "a-file", ExitCode.USAGE),
    "unwritable-folder": (lambda tmp: SYS, ExitCode.ENVIRONMENT),
    "missing-and-uncreatable": (lambda tmp: SYS / "missing" / "deeper", ExitCode.ENVIRONMENT),
}


@needs_sysfs
@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_writing_command_refuses_a_bad_output_path_before_its_work(
    command: str,
    place: str,
    tmp_path: Path,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from stanchion.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STANCHION_DEBUG", raising=False)
    _files(tmp_path)
    (tmp_path / "a-file").write_text("in the way\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    where, expected = PLACES[place]
    Hits.count = 0
    code = main(COMMANDS[command](str(where(tmp_path)), url))
    err = capsys.readouterr().err
    assert code == expected, err
    lines = err.splitlines()
    assert lines[0].startswith("error: cannot write "), err
    assert [line for line in lines[1:] if not line.startswith("hint: ")] == [], err
    assert "internal error" not in err and "Traceback" not in err
    assert Hits.count == 0  # load: checked before the run, no request was sent
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written
    assert (tmp_path / "a-file").read_text() == "in the way\n"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_writing_command_survives_a_path_under_a_file_without_sysfs(
    command: str,
    tmp_path: Path,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The usage half of the check runs everywhere, also where /sys would accept writes."""
    from stanchion.cli.main import main

    monkeypatch.chdir(tmp_path)
    _files(tmp_path)
    (tmp_path / "a-file").write_text("in the way\n")
    code = main(COMMANDS[command](str(tmp_path / "a-file" / "x"), url))
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert f"{tmp_path / 'a-file'} is a file, not a folder" in err


@pytest.mark.parametrize("stack", ["express-typescript", "fastapi"])
def test_force_into_a_folder_with_a_file_where_the_project_has_a_folder(tmp_path: Path, stack: str) -> None:
    """--force keeps the folder's other files; one that stands where the project needs a folder (or a folder
    where it writes a file) is refused before anything is moved."""
    from stanchion.scaffold.new import ProjectOptions, new_project

    target = tmp_path / "svc"
    target.mkdir()
    (target / "tests").write_text("a file named like the project's test folder\n")
    (target / "README.md").mkdir()
    with pytest.raises(UsageError, match="in the way") as caught:
        new_project(target, ProjectOptions(name="svc", stack=stack, minimal=True), force=True)
    assert caught.value.exit_code == ExitCode.USAGE
    assert sorted(p.name for p in target.iterdir()) == ["README.md", "tests"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svc"]  # the staging folder is gone


def test_a_write_refused_after_the_check_keeps_the_wording_and_codes(tmp_path: Path) -> None:
    from stanchion.paths import refused

    blocked = refused(NotADirectoryError(20, "Not a directory", str(tmp_path / "f" / "x")))
    assert isinstance(blocked, UsageError)
    assert blocked.message == f"cannot write {tmp_path / 'f' / 'x'}: Not a directory"
    full = refused(OSError(28, "No space left on device", str(tmp_path / "x")))
    assert isinstance(full, EnvironmentProblem)
    assert full.message == f"cannot write {tmp_path / 'x'}: No space left on device"
