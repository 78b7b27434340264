"""The HTML report: one self-contained file (inline CSS and JS, no CDN, no network) with SVG charts.

The result's JSON document is embedded in the page; ``assets/report.js`` draws the latency distribution,
throughput over time, latency over time and errors over time from it. When the page has drawn every chart
it sets ``data-charts`` on ``<body>``; a script error is written to ``data-errors`` (what the headless
Chromium test reads).
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stanchion.load.result import LoadResult


def _asset(name: str) -> str:
    return resources.files("stanchion.load.report").joinpath("assets", name).read_text(encoding="utf-8")


def render_html(result: LoadResult) -> str:
    doc = result.to_document()
    data = json.dumps(doc).replace("</", "<\\/").replace("<!--", "<\\!--")
    title = "Load test: " + ", ".join(doc["targets"])
    page = _asset("report.html")
    return (
        page.replace("{{title}}", html.escape(title))
        .replace("{{css}}", _asset("report.css"))
        .replace("{{data}}", data)
        .replace("{{js}}", _asset("report.js"))
    )
