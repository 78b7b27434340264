"""Entry point of the classic scripts in the skill folder: translate their flags, run the stanchion command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from stanchion.cli.main import main
from stanchion.errors import StanchionError
from stanchion.output import Output


def run(script: str, argv: Sequence[str] | None = None) -> int:
    """Run the classic ``script`` (its file name decides the mapping) with ``argv`` (default: sys.argv[1:])."""
    from stanchion.skill.classic import translate

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        translated = translate(Path(script).name, args, interactive=sys.stdin.isatty())
    except StanchionError as exc:
        Output().error(exc.message, exc.hint)
        return int(exc.exit_code)
    return main(translated)
