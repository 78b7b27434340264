"""The one check of an output path, made before a command starts its work.

Every command that writes files (``--dir``, ``--output``, ``--dest``, ``--agents-dest``, ``--save``,
``--hdr-log``, ``scaffold new``'s target...) calls :func:`check_output_path` on each path it will write,
before it connects, loads or renders anything. A path that cannot be written is then one line and a
documented exit code instead of an internal error halfway through the work:

* exit 2 (usage): a part of the path is a file where a folder is needed (``--save report.json/x``), the path
  is a folder where a file is needed, or the name itself is unusable (too long, a NUL byte);
* exit 3 (environment): the folder that would hold it, or the nearest existing folder above a missing one,
  refuses new entries (permissions, a read-only file system, a full disk, a pseudo file system like /proc).

Writability is tested by creating (and at once removing) a temporary entry, not with ``os.access``: access(2)
says yes to root everywhere, also in /proc and /sys, where every create fails. Missing folders are not
created by the check (so a failure later leaves nothing behind); it proves that they can be.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from stanchion.errors import EnvironmentProblem, UsageError

__all__ = ["check_output_path", "refused"]


def _label(label: str | None, path: Path | str) -> str:
    return f"{label} {path}" if label else str(path)


def _exists(path: Path, label: str | None, shown: Path | str) -> bool:
    try:
        return path.exists()
    except OSError as exc:  # ENAMETOOLONG, EACCES on a parent without search permission
        raise _problem(exc, path, label, shown) from None


def _problem(
    exc: OSError, where: Path, label: str | None = None, shown: Path | str | None = None
) -> UsageError | EnvironmentProblem:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOENT:  # an existing folder where creating reports ENOENT: /proc and the like
        reason = f"it accepts no new files ({reason})"
    subject = _label(label, shown if shown is not None else where)
    if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL, errno.ENOTDIR):
        return UsageError(f"cannot write {subject}: {reason}", "choose a shorter or valid path")
    same = shown is None or Path(shown).expanduser().absolute() == where
    return EnvironmentProblem(
        f"cannot write {subject}: {reason}" if same else f"cannot write {subject}: {where}: {reason}",
        "choose a folder you can write to, or fix its permissions",
    )


def refused(exc: OSError, label: str | None = None) -> UsageError | EnvironmentProblem:
    """The error to raise when writing ``exc.filename`` failed after the check (a race, a full disk, a file
    in the way inside a folder written with --force): the same wording and exit codes as the check."""
    where = Path(str(exc.filename)) if exc.filename is not None else Path(".")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return UsageError(
            f"cannot write {_label(label, where)}: {exc.strerror or exc}",
            "a file stands where a folder is needed, or the reverse; move it away or choose another folder",
        )
    return _problem(exc, where, label, where)


def _probe(folder: Path, *, create_folder: bool, label: str | None, shown: Path | str) -> None:
    """Create and remove a temporary file (or folder) in ``folder``; raise the matching error when refused."""
    try:
        if create_folder:
            os.rmdir(tempfile.mkdtemp(prefix=".stanchion-check-", dir=folder))
        else:
            handle, name = tempfile.mkstemp(prefix=".stanchion-check-", dir=folder)
            os.close(handle)
            os.unlink(name)
    except OSError as exc:
        raise _problem(exc, folder, label, shown) from None


def check_output_path(path: str | Path, *, folder: bool, label: str | None = None) -> Path:
    """Check that ``path`` can be written (a folder when ``folder``, else a file); return it, absolute.

    ``label`` names the flag in the message (``--save``); ``~`` is expanded. Nothing is left on disk.
    Raises :class:`UsageError` (exit 2) or :class:`EnvironmentProblem` (exit 3); see the module docstring.
    """
    shown = path
    if "\x00" in str(path):
        raise UsageError(f"cannot write {_label(label, repr(str(path)))}: the path holds a NUL byte")
    target = Path(path).expanduser().absolute()
    if _exists(target, label, shown):
        if folder and not target.is_dir():
            raise UsageError(
                f"cannot write {_label(label, shown)}: it is a file, not a folder", "pass a folder"
            )
        if not folder and target.is_dir():
            raise UsageError(
                f"cannot write {_label(label, shown)}: it is a folder, not a file", "pass a file name"
            )
        if not folder and target.is_file():
            try:
                with target.open("ab"):
                    pass
            except OSError as exc:
                raise _problem(exc, target, label, shown) from None
    holder = target if folder else target.parent
    missing = False
    while not _exists(holder, label, shown):
        missing = True
        holder = holder.parent
    if not holder.is_dir():
        raise UsageError(
            f"cannot write {_label(label, shown)}: {holder} is a file, not a folder",
            "choose a path whose folders are folders",
        )
    _probe(holder, create_folder=missing, label=label, shown=shown)
    return target
