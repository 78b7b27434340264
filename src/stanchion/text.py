"""Small wording helpers shared by every tool's messages and reports."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` in agreement: ``1 file``, ``2 files``, ``0 files``; ``plural`` for an irregular
    plural (``counted(n, "index", "indexes")``)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
