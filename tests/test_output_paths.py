"""Output paths that cannot be written: one line and exit 2 or 3, before any work, never an internal error.

The "unwritable" cases do not rely on chmod: the suite may run as root, which writes through any mode bits.
They use /sys (sysfs refuses new entries to root too: EACCES/EPERM) and /proc (ENOENT on create), where a
create fails for real; "parent is a file" uses a path under a regular file (ENOTDIR for everyone).
"""

from __future__ import annotations

import os
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
