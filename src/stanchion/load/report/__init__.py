"""Reports of a finished run: text (terminal), json (the versioned document) and html (one file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.load.result import LoadResult

FORMATS = ("text", "json", "html")


def render(result: LoadResult, fmt: str) -> str:
    if fmt == "json":
        import json

        return json.dumps(result.to_document(), indent=2) + "\n"
    if fmt == "html":
        from stanchion.load.report.html import render_html

        return render_html(result)
    from stanchion.load.report.text import render_text

    return render_text(result)
