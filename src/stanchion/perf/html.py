"""The HTML report: one self-contained file (inline CSS, SVG and a few lines of JS; loads nothing).

Per endpoint a horizontal bar of the mean latency split into the time the database spent executing its
statements and the rest (the app, the network, the pool), then the endpoint table and the findings. The
page embeds the ``--json`` document; its script checks that every bar was laid out and sets
``data-bars`` (the count) and ``data-errors`` on ``<body>`` (what the headless Chromium test reads).
"""

from __future__ import annotations

import html
import json
from typing import Any

WIDTH = 640  # px of the widest bar
ROW = 34

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:980px;color:#1d232a;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse;width:100%}td,th{padding:.3em .6em;border-bottom:1px solid #e3e6ea;text-align:left}
th{background:#f4f6f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.db{fill:#c2410c}.other{fill:#94a3b8}.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em}
.finding{border-left:4px solid #c2410c;padding:.4em .8em;margin:.6em 0;background:#fff7ed}
code{font-size:.92em;background:#f1f5f9;padding:0 .2em}.note{color:#57606a}
"""

SCRIPT = """
(function(){var errors=[];window.addEventListener('error',function(e){errors.push(String(e.message));});
try{var bars=document.querySelectorAll('svg rect.bar'),drawn=0;
for(var i=0;i<bars.length;i++){var b=bars[i].getBBox();if(b.width>=0&&b.height>0){drawn++;}}
var doc=JSON.parse(document.getElementById('data').textContent);
if(doc.endpoints.length&&!bars.length){errors.push('no bars for '+doc.endpoints.length+' endpoints');}
document.body.setAttribute('data-bars',String(drawn));}catch(e){errors.push(String(e));}
document.body.setAttribute('data-errors',errors.join('; '));})();
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _chart(endpoints: list[dict[str, Any]]) -> str:
    means = [e["latency_ms"]["mean"] or 0.0 for e in endpoints]
    top = max([*means, 0.001])
    label_w = 260
    rows = []
    for i, (e, mean) in enumerate(zip(endpoints, means, strict=True)):
        db = min(e["db_ms_per_request"] or 0.0, mean)
        y = i * ROW + 6
        db_w, other_w = WIDTH * db / top, WIDTH * (mean - db) / top
        label = f"{e['method']} {e['path']}"
        rows.append(
            f'<text x="0" y="{y + 17}">{_e(label[:38])}</text>'
            f'<rect class="bar db" data-endpoint="{_e(label)}" x="{label_w}" y="{y}" width="{db_w:.1f}" '
            f'height="22"><title>database {_ms(db)}</title></rect>'
            f'<rect class="bar other" x="{label_w + db_w:.1f}" y="{y}" width="{other_w:.1f}" height="22">'
            f"<title>other {_ms(mean - db)}</title></rect>"
            f'<text x="{label_w + db_w + other_w + 6:.1f}" y="{y + 17}">{_ms(mean)}</text>'
        )
    height = len(endpoints) * ROW + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + WIDTH + 90}" height="{height}" '
        f'role="img" aria-label="database time vs other time per endpoint">{"".join(rows)}</svg>'
    )


def _table(endpoints: list[dict[str, Any]]) -> str:
    head = (
        "<tr><th>endpoint</th><th>requests</th><th>errors</th><th>req/s</th><th>p50</th><th>p99</th>"
        "<th>statements/req</th><th>DB ms/req</th></tr>"
    )
    body = []
    for e in endpoints:
        spr = e["statements_per_request"]
        body.append(
            f"<tr><td>{_e(e['method'])} {_e(e['path'])}</td><td class=n>{e['requests']}</td>"
            f"<td class=n>{e['errors']}</td><td class=n>{e['rps']:,.1f}</td>"
            f"<td class=n>{_ms(e['latency_ms']['p50'])}</td><td class=n>{_ms(e['latency_ms']['p99'])}</td>"
            f"<td class=n>{'-' if spr is None else f'{spr:.2f}'}</td>"
            f"<td class=n>{_ms(e['db_ms_per_request'])}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def render_html(doc: dict[str, Any]) -> str:
    """The page for a ``PerfReport.to_json()`` document."""
    endpoints = doc["endpoints"]
    findings = "".join(
        f'<div class="finding"><b>{_e(f["id"])}</b> {_e(f["endpoint"])}<br>{_e(f["evidence"])}<br>'
        f"<i>fix:</i> {_e(f['fix'])}</div>"
        for f in doc["findings"]
    )
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in doc["notes"])
    data = json.dumps(doc).replace("</", "<\\/").replace("<!--", "<\\!--")
    title = f"Performance: {doc['base_url']}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="note">database: {_e(doc["database"] or "none given")}</p>'
        "<h2>Mean latency per request: database time vs the rest</h2>"
        '<p class="legend"><span class="db" style="background:#c2410c"></span>database (pg_stat_statements)'
        '<span style="background:#94a3b8"></span>other (app, network, pool)</p>'
        f'<section id="chart-db-time">{_chart(endpoints)}</section>'
        f"<h2>Endpoints</h2>{_table(endpoints)}"
        f"<h2>Findings ({len(doc['findings'])})</h2>{findings or '<p>No findings.</p>'}{notes}"
        f'<script type="application/json" id="data">{data}</script>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
