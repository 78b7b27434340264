"""What the engine decides from: the stated assumptions, validated, with every missing one named.

The field names are the seed-compatible flag names with dashes turned into underscores (``--team-size`` is
``team_size``), so ``build_inputs(**vars(args))`` and :func:`inputs_from_argv` both work for the classic
``backend_decision_engine.py`` form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from stanchion.decide import vocab
from stanchion.errors import UsageError

#: inputs the engine refuses to run without (exit 2, every missing one named).
REQUIRED: tuple[str, ...] = ("read_write_ratio", "qps_p99", "tenancy", "data_sensitivity", "pattern")

#: every input, in the order flags are listed; the value is the flag's help line.
FIELDS: dict[str, str] = {
    "team_size": "engineers who will build and run it",
    "qps_p99": "one-year p99 requests per second (required)",
    "read_write_ratio": "reads per write: 20, 20:1 or 95/5 (required)",
    "tenancy": "tenancy model (required): " + ", ".join(vocab.TENANCIES),
    "data_sensitivity": "most sensitive data tier stored (required): " + ", ".join(vocab.SENSITIVITIES),
    "pattern": "architecture pattern preference (required): " + ", ".join(vocab.PATTERNS),
    "language_preference": "team language: " + ", ".join(vocab.LANGUAGES),
    "communication": "request style: " + ", ".join(vocab.COMMUNICATIONS),
    "workload": "what it mostly serves: " + ", ".join(vocab.WORKLOADS),
    "rpo": "recovery point objective, e.g. 15m",
    "rto": "recovery time objective, e.g. 1h",
    "slo": "availability SLO in percent, e.g. 99.9",
    "error_budget_consumer": "who spends the error budget (a named team or release train)",
}


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


@dataclass(frozen=True)
class DecisionInputs:
    """Validated inputs; ``None`` means not stated. Durations are seconds, ``slo`` is a percentage."""

    read_write_ratio: float
    qps_p99: float
    tenancy: str
    data_sensitivity: str
    pattern: str
    team_size: int | None = None
    language_preference: str | None = None
    communication: str | None = None
    workload: str | None = None
    rpo: int | None = None
    rto: int | None = None
    slo: float | None = None
    error_budget_consumer: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _clean(field: str, value: object) -> object:
    flag = flag_name(field)
    if field == "team_size":
        return vocab.team_size(flag, value)
    if field == "qps_p99":
        return vocab.positive_number(flag, value)
    if field == "read_write_ratio":
        return vocab.ratio(flag, value)
    if field in ("rpo", "rto"):
        return vocab.duration(flag, value)
    if field == "slo":
        return vocab.percent(flag, value)
    if field == "error_budget_consumer":
        return " ".join(str(value).split())
    allowed = {
        "tenancy": vocab.TENANCIES,
        "data_sensitivity": vocab.SENSITIVITIES,
        "pattern": vocab.PATTERNS,
        "language_preference": vocab.LANGUAGES,
        "communication": vocab.COMMUNICATIONS,
        "workload": vocab.WORKLOADS,
    }[field]
    return vocab.choice(flag, value, allowed)


def clean_field(field: str, value: object) -> object:
    """One input, validated on its own (the grill checks each answer as it is given)."""
    if field not in FIELDS:
        raise UsageError(f"unknown input '{field}'", f"known inputs: {', '.join(FIELDS)}")
    return _clean(field, value)


def missing_inputs(values: Mapping[str, object]) -> list[str]:
    """The required inputs not present in ``values``, in a stable order."""
    return [field for field in REQUIRED if not _present(values.get(field))]


def build_inputs(**values: object) -> DecisionInputs:
    """Validate raw values (strings or numbers, seed-compatible names). Refuses, naming every missing input."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise UsageError(
            f"unknown input{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            f"known inputs: {', '.join(FIELDS)}",
        )
    missing = missing_inputs(values)
    if missing:
        raise UsageError(
            f"missing required input{'s' if len(missing) > 1 else ''}: {', '.join(map(flag_name, missing))}",
            "the engine does not guess assumptions: state each one, or run 'stanchion decide grill'",
        )
    cleaned = {field: _clean(field, value) for field, value in values.items() if _present(value)}
    return DecisionInputs(**cleaned)  # type: ignore[arg-type]


def inputs_from_argv(argv: Sequence[str]) -> DecisionInputs:
    """The classic ``backend_decision_engine.py`` command line (``--team-size 8 --qps-p99 50 ...``).

    Accepts ``--flag value`` and ``--flag=value``; an unknown flag or a flag without a value is a
    UsageError. Nothing is printed: the shim renders the result.
    """
    values: dict[str, object] = {}
    args = list(argv)
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("--"):
            raise UsageError(f"unexpected argument {arg!r}", "every input is a --flag value pair")
        name, eq, inline = arg[2:].partition("=")
        field = name.replace("-", "_")
        if field not in FIELDS:
            raise UsageError(f"unknown flag '--{name}'", f"known flags: {', '.join(map(flag_name, FIELDS))}")
        if eq:
            values[field] = inline
        else:
            if index + 1 >= len(args) or args[index + 1].startswith("--"):
                raise UsageError(f"--{name} needs a value", f"e.g. --{name} {_example(field)}")
            index += 1
            values[field] = args[index]
        index += 1
    return build_inputs(**values)


def _example(field: str) -> str:
    return {
        "team_size": "8",
        "qps_p99": "50",
        "read_write_ratio": "20",
        "tenancy": "shared-multi-tenant",
        "data_sensitivity": "pii",
        "pattern": "modular-monolith",
        "language_preference": "typescript",
        "communication": "sync",
        "workload": "saas",
        "rpo": "15m",
        "rto": "1h",
        "slo": "99.9",
        "error_budget_consumer": "checkout-team",
    }[field]
