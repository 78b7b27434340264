"""CI gates: thresholds on one run, a run against a saved baseline, and two runs side by side.

Every gate returns a :class:`GateReport` (rows of metric, before/limit, after, verdict); the CLI prints the
table and exits 1 when any row failed. Latency metrics are in microseconds inside, shown in ms.

A comparison checks COMPARED by default; ``--metrics`` picks others. Latency and throughput depend on the
machine the run had, so a CI job on shared runners can compare on counts alone (``error_rate``, ``errors``,
``requests``), which a server that answers the same way gives the same on any machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stanchion.errors import UsageError
from stanchion.load.result import SCHEMA

LATENCY = ("min", "mean", "max", "p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99")
HIGHER_IS_BETTER = ("rps", "mb_per_s", "requests")
ERROR_SLACK = 0.001
COMPARED = ("p50", "p90", "p99", "mean", "rps", "error_rate")
COMPARABLE = (*LATENCY, "rps", "mb_per_s", "error_rate", "errors", "requests")
_THRESHOLD = re.compile(r"^\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|<|>)\s*([0-9.]+)\s*(us|µs|ms|s|%)?\s*$", re.I)


@dataclass(frozen=True)
class Threshold:
    metric: str
    op: str
    value: float  # microseconds for latency, a fraction for error_rate

    def holds(self, actual: float) -> bool:
        return {
            "<": actual < self.value,
            "<=": actual <= self.value,
            ">": actual > self.value,
            ">=": actual >= self.value,
        }[self.op]


def parse_thresholds(text: str) -> list[Threshold]:
    """``"p99<200ms,error_rate<0.1%,rps>1000"``."""
    out = []
    for part in (p for p in text.split(",") if p.strip()):
        match = _THRESHOLD.match(part)
        if not match:
            raise UsageError(
                f"invalid threshold {part.strip()!r}",
                'write METRIC<VALUE, e.g. "p99<200ms,error_rate<0.1%,rps>1000"',
            )
        metric, op, number, unit = (
            match.group(1).lower(),
            match.group(2),
            float(match.group(3)),
            (match.group(4) or "").lower(),
        )
        if metric in LATENCY:
            number *= {"us": 1, "µs": 1, "ms": 1000, "s": 1_000_000, "": 1000}.get(unit, 0) or _bad_unit(part)
        elif metric == "error_rate":
            number = number / 100 if unit == "%" else number
        elif metric in ("rps", "mb_per_s", "errors", "requests"):
            if unit:
                _bad_unit(part)
        else:
            raise UsageError(
                f"unknown threshold metric {metric!r}",
                "use p50..p99.99, min, mean, max, rps, mb_per_s, error_rate, errors or requests",
            )
        out.append(Threshold(metric, op, number))
    if not out:
        raise UsageError("--threshold is empty", 'e.g. --threshold "p99<200ms,error_rate<1%"')
    return out


def _bad_unit(part: str) -> float:
    raise UsageError(
        f"invalid unit in threshold {part.strip()!r}", "latency takes us, ms or s; error_rate takes %"
    )


@dataclass
class Row:
    metric: str
    before: str
    after: str
    change: str
    ok: bool


@dataclass
class GateReport:
    title: str
    headers: tuple[str, str, str]  # names of the before/limit column, after column, change column
    rows: list[Row] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.ok for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "gate": self.title,
            "passed": self.passed,
            "rows": [
                {
                    "metric": r.metric,
                    self.headers[0]: r.before,
                    self.headers[1]: r.after,
                    "change": r.change,
                    "ok": r.ok,
                }
                for r in self.rows
            ],
        }


def fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric in LATENCY:
        return f"{value / 1000:.2f} ms"
    if metric == "error_rate":
        return f"{value * 100:.3f}%"
    if metric in ("errors", "requests"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def check_thresholds(metrics: dict[str, float | None], thresholds: list[Threshold]) -> GateReport:
    report = GateReport("thresholds", ("limit", "actual", "verdict"))
    for t in thresholds:
        actual = metrics.get(t.metric)
        ok = actual is not None and t.holds(actual)
        report.rows.append(
            Row(
                t.metric,
                f"{t.op} {fmt(t.metric, t.value)}",
                fmt(t.metric, actual),
                "pass" if ok else "FAIL",
                ok,
            )
        )
    return report


def parse_tolerance(text: str) -> float:
    match = re.fullmatch(r"\s*([0-9.]+)\s*(%)?\s*", text)
    if not match:
        raise UsageError(f"invalid tolerance {text!r}", "a percentage, e.g. 10%")
    value = float(match.group(1))
    return value / 100 if match.group(2) or value > 1 else value


def parse_metrics(text: str) -> tuple[str, ...]:
    """``"error_rate,requests"``: the metrics a baseline or two-run comparison checks."""
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in COMPARABLE]
    if unknown or not names:
        raise UsageError(
            f"unknown comparison metric {unknown[0]!r}" if unknown else "--metrics is empty",
            "choose from " + ", ".join(COMPARABLE) + ", e.g. --metrics error_rate,requests",
        )
    return names


def load_baseline(path: str) -> dict[str, Any]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"cannot read baseline {path}: {exc.strerror}", "save one with --output FILE.json"
        ) from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"baseline {path} is not JSON: {exc.msg}", "save one with --output FILE.json"
        ) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise UsageError(
            f"{path} is not a stanchion load result ({SCHEMA})", "save one with --output FILE.json"
        )
    return doc


def metrics_of(doc: dict[str, Any]) -> dict[str, float | None]:
    """The flat metrics of a saved JSON result (the same keys as LoadResult.metrics)."""
    lat = doc.get("latency_us") or {}
    flat: dict[str, float | None] = {k: lat.get(k) for k in ("min", "mean", "stddev", "max")}
    flat.update(lat.get("percentiles") or {})
    flat["rps"] = (doc.get("throughput") or {}).get("rps")
    flat["mb_per_s"] = (doc.get("throughput") or {}).get("mb_per_s")
    requests = doc.get("requests") or {}
    flat["error_rate"] = requests.get("error_rate")
    flat["errors"] = requests.get("errors")
    flat["requests"] = requests.get("sent")
    return flat


def compare(
    before: dict[str, float | None],
    after: dict[str, float | None],
    tolerance: float,
    title: str,
    metrics: tuple[str, ...] = COMPARED,
) -> GateReport:
    """Regression: latency or the error count up, or throughput or the request count down, by more than
    ``tolerance`` (a fraction), or the error rate up by more than ERROR_SLACK (0.1 percentage point)."""
    report = GateReport(title, ("before", "after", "change"))
    for metric in metrics:
        b, a = before.get(metric), after.get(metric)
        if b is None or a is None:
            report.rows.append(Row(metric, fmt(metric, b), fmt(metric, a), "n/a", True))
            continue
        if metric == "error_rate":
            ok = a <= b + ERROR_SLACK
            change = f"{(a - b) * 100:+.3f} pt"
        elif metric in HIGHER_IS_BETTER:
            ok = a >= b * (1 - tolerance)
            change = f"{(a / b - 1) * 100:+.1f}%" if b else f"{a - b:+,g}"
        else:
            ok = a <= b * (1 + tolerance)
            change = f"{(a / b - 1) * 100:+.1f}%" if b else f"{a - b:+,g}"
        report.rows.append(
            Row(metric, fmt(metric, b), fmt(metric, a), change if ok else change + " REGRESSION", ok)
        )
    return report
