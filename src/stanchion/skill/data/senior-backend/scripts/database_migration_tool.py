#!/usr/bin/env python3
"""database_migration_tool.py: the classic command line, served by Stanchion.

The classic flags are translated into a `stanchion` command (see stanchion.skill.classic) and run by it,
so exit codes, --json output and error messages are Stanchion's. Needs Stanchion installed for this Python:
`pip install stanchion`.
"""

import sys

try:
    from stanchion.cli.classic import run
except ImportError:
    sys.stderr.write(f"error: stanchion is not installed for {sys.executable}\nhint: pip install stanchion\n")
    sys.exit(3)

if __name__ == "__main__":
    sys.exit(run(__file__))
