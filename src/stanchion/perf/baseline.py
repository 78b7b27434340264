"""``--baseline FILE``: this run against a saved ``stanchion perf --json`` document, endpoint by endpoint.

Each endpoint of the run is matched by method and path with the baseline's, and compared with
:func:`stanchion.load.compare.compare` (the gate ``stanchion load --baseline`` uses): a regression is a
figure worse by more than the tolerance. Statements per request and errors are counts and mean the same
on any machine; latency and req/s depend on the machine the run had (``--metrics`` picks).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stanchion.errors import UsageError
from stanchion.load.compare import GateReport, Row, compare

SCHEMA = "stanchion.perf/1"
METRICS = ("statements_per_request", "db_ms_per_request", "p50", "p90", "p95", "p99", "rps", "errors")
COMPARED = ("statements_per_request", "p50", "p99", "rps", "errors")


def parse_metrics(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    unknown = [n for n in names if n not in METRICS]
    if unknown or not names:
        raise UsageError(
            f"unknown comparison metric {unknown[0]!r}" if unknown else "--metrics is empty",
            "choose from " + ", ".join(METRICS) + ", e.g. --metrics statements_per_request,errors",
        )
    return names


def load_baseline(path: str) -> dict[str, Any]:
    hint = "save one with: stanchion perf ... --json > FILE.json"
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read baseline {path}: {exc.strerror}", hint) from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"baseline {path} is not JSON: {exc.msg}", hint) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise UsageError(f"{path} is not a stanchion perf result ({SCHEMA})", hint)
    return doc


def metrics_of(endpoint: dict[str, Any]) -> dict[str, float | None]:
    """An endpoint's figures under the names :func:`compare` knows (latency in microseconds)."""
    lat = endpoint.get("latency_ms") or {}
    flat: dict[str, float | None] = {
        key: lat[key] * 1000 if isinstance(lat.get(key), int | float) else None
        for key in ("p50", "p90", "p95", "p99")
    }
    for key in ("statements_per_request", "db_ms_per_request", "rps", "errors"):
        flat[key] = endpoint.get(key)
    return flat


def gates(
    run: dict[str, Any], baseline: dict[str, Any], tolerance: float, metrics: tuple[str, ...] = COMPARED
) -> list[GateReport]:
    """One before/after table per endpoint of the run (an endpoint the baseline lacks says so and passes)."""
    before = {(e["method"], e["path"]): e for e in baseline.get("endpoints") or [] if isinstance(e, dict)}
    out = []
    for entry in run["endpoints"]:
        key = (entry["method"], entry["path"])
        title = f"{key[0]} {key[1]} against the baseline"
        if key not in before:
            gate = GateReport(title, ("before", "after", "change"))
            gate.rows.append(Row("endpoint", "-", "measured", "new: not in the baseline", True))
            out.append(gate)
            continue
        out.append(compare(metrics_of(before[key]), metrics_of(entry), tolerance, title, metrics))
    return out
