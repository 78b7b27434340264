#!/usr/bin/env python3
"""backend_decision_engine.py: the classic command line, served by Stanchion.

The classic flags are translated into a `stanchion` command (see stanchion.skill.classic) and run by it,
so exit codes, --json output and error messages are Stanchion's. Needs Stanchion installed for this Python:
`pip install stanchion`.
"""

import sys


def main() -> int:
    try:
        from stanchion.cli.main import main as stanchion
        from stanchion.errors import StanchionError
        from stanchion.skill.classic import translate
    except ImportError:
        sys.stderr.write(f"error: stanchion is not installed for {sys.executable}\n")
        sys.stderr.write("hint: pip install stanchion, or run this script with the Python that has it\n")
        return 3
    try:
        argv = translate("backend_decision_engine.py", sys.argv[1:], interactive=sys.stdin.isatty())
    except StanchionError as exc:
        sys.stderr.write(f"error: {exc.message}\n" + (f"hint: {exc.hint}\n" if exc.hint else ""))
        return int(exc.exit_code)
    return stanchion(argv)


if __name__ == "__main__":
    sys.exit(main())
