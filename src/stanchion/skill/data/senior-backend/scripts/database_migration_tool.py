#!/usr/bin/env python3
"""database_migration_tool.py: the classic command line for migrations, schema analysis, index advice and schema diff (stanchion db), served by Stanchion.

The classic flags are translated into a `stanchion` command (stanchion.skill.classic) and run by it, so exit
codes, --json output and error messages are Stanchion's; `--help` lists every classic form.

Runs with any `python`: `stanchion skill install` records the interpreter it ran on in
stanchion-runtime.json beside this script, and the script hands itself to that interpreter; without a
record it uses this interpreter's Stanchion, then the one behind `stanchion` on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.join(HERE, "stanchion-runtime.json")
HANDED_OFF = "STANCHION_CLASSIC_HANDED_OFF"
RUN = (
    "import sys\n"
    "script, root = sys.argv[1], sys.argv[2]\n"
    "if root and root not in sys.path:\n"
    "    sys.path.append(root)\n"
    "try:\n"
    "    from stanchion.cli.classic import run\n"
    "except ImportError as exc:\n"
    "    sys.stderr.write('error: the recorded Stanchion cannot be imported by ' + sys.executable + ': '"
    " + str(exc) + '\\nhint: run stanchion skill install again from the environment that has it\\n')\n"
    "    sys.exit(3)\n"
    "sys.exit(run(script, sys.argv[3:]))\n"
)


def recorded() -> tuple[str, str] | None:
    """(python, import root) from the install record, or None."""
    try:
        with open(RUNTIME, encoding="utf-8") as handle:
            record = json.load(handle)
        return str(record["python"]), str(record.get("path") or "")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def on_path() -> tuple[str, str] | None:
    """The interpreter of the `stanchion` command on PATH (its script's #! line), or None."""
    entry = shutil.which("stanchion")
    if entry is None:
        return None
    try:
        with open(entry, "rb") as handle:
            first = handle.readline().decode("utf-8", "replace")
    except OSError:
        return None
    python = first[2:].strip().split(" ")[0] if first.startswith("#!") else ""
    if not os.path.isabs(python) or os.path.basename(python) == "env":
        return None
    return python, ""


def hand_off(python: str, root: str) -> None:
    env = dict(os.environ)
    env[HANDED_OFF] = "1"
    os.execve(python, [python, "-c", RUN, os.path.abspath(__file__), root, *sys.argv[1:]], env)


def main() -> int:
    record = None if os.environ.get(HANDED_OFF) else recorded()
    if (
        record
        and os.path.abspath(record[0]) != os.path.abspath(sys.executable)
        and os.access(record[0], os.X_OK)
    ):
        hand_off(*record)
    try:
        from stanchion.cli.classic import run
    except ImportError:
        found = None if os.environ.get(HANDED_OFF) else on_path()
        if (
            found
            and os.access(found[0], os.X_OK)
            and os.path.abspath(found[0]) != os.path.abspath(sys.executable)
        ):
            hand_off(*found)
        where = "recorded " + record[0] + " is gone" if record else "no install record beside this script"
        sys.stderr.write(
            "error: Stanchion is not installed for "
            + sys.executable
            + " ("
            + where
            + ", no stanchion on PATH)\n"
            "hint: run 'stanchion skill install' from the environment that has Stanchion (it records that"
            " interpreter for these scripts), or run this script with that environment's python\n"
        )
        return 3
    code: int = run(os.path.abspath(__file__))
    return code


if __name__ == "__main__":
    sys.exit(main())
