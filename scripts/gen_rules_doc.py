#!/usr/bin/env python3
"""Refresh the generated rules tables in docs/db.md from the rule docstrings (``--check``: fail if stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from stanchion.db.analyze.docs import update_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "db.md"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = update_markdown(text)
    if "--check" in sys.argv[1:]:
        if fresh != text:
            print("docs/db.md rules tables are stale: run scripts/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
