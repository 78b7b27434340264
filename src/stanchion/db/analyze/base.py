"""What an analysis rule sees (the schema model, a live connection, thresholds) and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sqlalchemy.engine import Connection

    from stanchion.db.schema.model import Schema

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity
    dialects: tuple[str, ...] = ("postgresql",)
    needs: tuple[str, ...] = ()  # extensions the rule needs, e.g. ("pg_stat_statements",)


@dataclass
class Finding:
    rule: str
    severity: Severity
    objects: list[str]
    message: str
    fix: str | None = None
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "objects": self.objects,
            "message": self.message,
            "why": self.why,
            "fix": self.fix,
        }


@dataclass
class Thresholds:
    unused_index_min_age_days: float = 7.0  # stats younger than this make "unused" only informational
    sequence_used_fraction: float = 0.75
    seq_scan_min_rows: int = 10_000
    seq_scan_ratio: float = 10.0
    seq_scan_min_count: int = 50
    slow_query_mean_ms: float = 20.0  # PgHero's slow_query_ms
    slow_query_min_calls: int = 100  # PgHero's slow_query_calls: one-off bulk statements stay out
    slow_query_limit: int = 10
    n_plus_one_min_calls: int = 500
    n_plus_one_ratio: float = 20.0
    n_plus_one_max_mean_ms: float = 5.0


#: ``[tool.stanchion.db.analyze]`` keys (and the flags of the same name) -> Thresholds fields
CONFIG_KEYS = {
    "slow_query_ms": "slow_query_mean_ms",
    "slow_query_calls": "slow_query_min_calls",
    "unused_index_min_age_days": "unused_index_min_age_days",
}


def configured_thresholds(
    table: Mapping[str, Any], where: str, flags: Mapping[str, float | int | None]
) -> Thresholds:
    """Thresholds from the config table (``where`` names it in errors), then flags (None: not given)."""
    from stanchion.errors import ConfigError

    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            raise ConfigError(
                f"{where}: unknown key '{key}' in [tool.stanchion.db.analyze]",
                f"known keys: {', '.join(CONFIG_KEYS)}",
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(
                f"{where}: '{key}' must be a number of 0 or more, got {value!r}", f"set {key} = 20"
            )
        values[CONFIG_KEYS[key]] = value
    for key, value in flags.items():
        if value is not None:
            values[CONFIG_KEYS[key]] = value
    if "slow_query_min_calls" in values:
        values["slow_query_min_calls"] = int(values["slow_query_min_calls"])
    return Thresholds(**values)


@dataclass
class Context:
    schema: Schema
    conn: Connection | None
    thresholds: Thresholds = field(default_factory=Thresholds)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: when each index (by name) was created, where the database can tell; read on first use
    index_created: dict[str, datetime] | None = None

    @property
    def dialect(self) -> str:
        return self.schema.dialect

    def rows(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        if self.conn is None:
            return []
        return list(self.conn.execute(text(sql), params))

    def stats_age_days(self) -> float | None:
        if not self.schema.stats_reset:
            return None
        reset = datetime.fromisoformat(self.schema.stats_reset)
        return max((self.now - reset).total_seconds() / 86400.0, 0.0)


class RuleModule(Protocol):
    RULE: RuleInfo
    __doc__: str | None

    def check(self, ctx: Context) -> Iterable[Finding]: ...
