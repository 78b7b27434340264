"""The words the decision engine understands, and the parsers that turn what a person typed into values.

The vocabulary is the seed-compatible one: the same flag values the classic ``backend_decision_engine.py``
accepted (``--tenancy shared-multi-tenant``, ``--data-sensitivity pii``, ``--pattern modular-monolith``, ...).
Every parser raises :class:`stanchion.errors.UsageError` with the field's flag name and what is accepted.
"""

from __future__ import annotations

import math
import re
from typing import Literal, get_args

from stanchion.errors import UsageError

Tenancy = Literal["single-tenant", "shared-multi-tenant", "isolated-multi-tenant"]
Sensitivity = Literal["public", "internal", "pii", "phi", "pci"]
Pattern = Literal["monolith", "modular-monolith", "domain-bounded-services", "microservices", "serverless"]
Language = Literal["typescript", "python", "go", "rust", "java", "kotlin", "dotnet"]
Communication = Literal["sync", "async", "event-driven"]
Workload = Literal["saas", "ml", "content", "platform", "internal"]

TENANCIES: tuple[str, ...] = get_args(Tenancy)
SENSITIVITIES: tuple[str, ...] = get_args(Sensitivity)
PATTERNS: tuple[str, ...] = get_args(Pattern)
LANGUAGES: tuple[str, ...] = get_args(Language)
COMMUNICATIONS: tuple[str, ...] = get_args(Communication)
WORKLOADS: tuple[str, ...] = get_args(Workload)

#: what each workload word means, for help texts and the grill.
WORKLOAD_MEANING: dict[str, str] = {
    "saas": "customer-facing SaaS product",
    "ml": "ML-adjacent: models, data pipelines, notebooks next door",
    "content": "content-heavy CRUD with an admin back office",
    "platform": "an extracted high-throughput service owned by a platform team",
    "internal": "internal tool or back office",
}

#: patterns that are one step apart score half (see docs/decide.md, "How scoring works").
PATTERN_NEIGHBOURS: dict[str, frozenset[str]] = {
    "monolith": frozenset({"modular-monolith"}),
    "modular-monolith": frozenset({"monolith", "domain-bounded-services"}),
    "domain-bounded-services": frozenset({"modular-monolith", "microservices"}),
    "microservices": frozenset({"domain-bounded-services"}),
    "serverless": frozenset(),
}

#: accepted spellings that mean the same word.
ALIASES: dict[str, str] = {
    "ts": "typescript",
    "node": "typescript",
    "javascript": "typescript",
    "py": "python",
    "golang": "go",
    "c#": "dotnet",
    "csharp": "dotnet",
    ".net": "dotnet",
    "single": "single-tenant",
    "shared": "shared-multi-tenant",
    "isolated": "isolated-multi-tenant",
    "modular": "modular-monolith",
    "synchronous": "sync",
    "asynchronous": "async",
    "queue": "async",
    "events": "event-driven",
    "event": "event-driven",
}

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days)?\s*$", re.I)
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[:/]\s*(\d+(?:\.\d+)?))?\s*$")


def choice(flag: str, value: object, allowed: tuple[str, ...]) -> str:
    """``value`` as one of ``allowed`` (case and aliases forgiven)."""
    text = str(value).strip().lower().replace("_", "-")
    text = ALIASES.get(text, text)
    if text not in allowed:
        raise UsageError(f"{flag}: unknown value {value!r}", f"use one of: {', '.join(allowed)}")
    return text


def positive_number(flag: str, value: object, *, allow_zero: bool = False) -> float:
    """A finite number greater than zero (or zero when allowed)."""
    try:
        number = float(str(value).strip().replace("_", "").replace(",", ""))
    except ValueError:
        raise UsageError(f"{flag}: not a number: {value!r}", f"give {flag} as a number, e.g. 50") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise UsageError(
            f"{flag}: must be greater than 0, got {value!r}", f"give {flag} as a positive number"
        )
    return number


def team_size(flag: str, value: object) -> int:
    """A head count: a whole number of engineers, at least 1."""
    number = positive_number(flag, value)
    if number != int(number) or number > 100_000:
        raise UsageError(f"{flag}: not a head count: {value!r}", "give the number of engineers, e.g. 8")
    return int(number)


def ratio(flag: str, value: object) -> float:
    """Reads per write: ``20``, ``20:1`` or ``95/5`` (read share / write share)."""
    match = _RATIO.match(str(value))
    if not match:
        raise UsageError(
            f"{flag}: not a read/write ratio: {value!r}", "give reads per write, e.g. 20 or 20:1 or 95/5"
        )
    reads = float(match.group(1))
    writes = float(match.group(2)) if match.group(2) is not None else 1.0
    if reads <= 0 or writes <= 0:
        raise UsageError(
            f"{flag}: both sides of the ratio must be above 0, got {value!r}",
            "a read-only or write-only load is still a ratio: use e.g. 1000:1 or 1:1000",
        )
    return reads / writes


def duration(flag: str, value: object) -> int:
    """Seconds from ``30s``, ``15m``, ``1h``, ``1d`` or a bare number of seconds; ``0`` is allowed."""
    match = _DURATION.match(str(value))
    if not match:
        raise UsageError(
            f"{flag}: not a duration: {value!r}", "use a number with s, m, h or d, e.g. 15m or 1h"
        )
    unit = (match.group(2) or "s")[0].lower()
    return round(float(match.group(1)) * _UNITS[unit])


def percent(flag: str, value: object) -> float:
    """An availability target such as ``99.9`` or ``99.95%``, between 90 and 100 (exclusive)."""
    text = str(value).strip().rstrip("%").strip()
    number = positive_number(flag, text)
    if not 90 <= number < 100:
        raise UsageError(
            f"{flag}: availability must be at least 90 and below 100, got {value!r}",
            "give a target such as 99.9 (100 leaves no error budget to spend)",
        )
    return number


def format_duration(seconds: int) -> str:
    """The shortest exact form: ``15m``, ``1h``, ``90s``, ``1d``."""
    if seconds == 0:
        return "0s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_long_duration(seconds: float) -> str:
    """A budget such as ``43m 12s`` or ``3h 36m``."""
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return " ".join(parts[:2]) or "0s"


def format_number(value: float) -> str:
    """``50`` rather than ``50.0``; two decimals at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
