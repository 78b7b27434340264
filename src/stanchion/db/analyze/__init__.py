"""Schema analysis: run every rule in ``stanchion.db.analyze.rules`` against one introspected schema.

    result = analyze("postgresql://app@127.0.0.1/app")      # or a schema file, loaded into a scratch db
    for finding in result.findings: ...

Rules that need an extension the database lacks (pg_stat_statements) are listed in ``skipped`` with the
reason; the others still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from stanchion.db.analyze.base import SEVERITY_ORDER, Context, Finding, RuleModule, Thresholds
from stanchion.db.analyze.registry import parse_doc, rule_modules
from stanchion.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["AnalysisResult", "Finding", "Thresholds", "all_rules", "analyze", "analyze_connection"]

_EXTENSION_HINT = {
    "pg_stat_statements": "add pg_stat_statements to shared_preload_libraries and run "
    "CREATE EXTENSION pg_stat_statements",
}


def all_rules() -> list[RuleModule]:
    return cast(list[RuleModule], rule_modules("stanchion.db.analyze.rules"))


@dataclass
class AnalysisResult:
    source: str
    dialect: str
    findings: list[Finding]
    skipped: list[dict[str, str]] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    tables: int = 0
    catalog_queries: int = 0
    stats_age_days: float | None = None
    fail_on: str = "error"

    @property
    def exit_code(self) -> ExitCode:
        limit = SEVERITY_ORDER.get(self.fail_on, 0)
        failed = any(SEVERITY_ORDER[f.severity] <= limit for f in self.findings)
        return ExitCode.CHECK_FAILED if failed else ExitCode.OK

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dialect": self.dialect,
            "tables": self.tables,
            "catalog_queries": self.catalog_queries,
            "stats_age_days": self.stats_age_days,
            "counts": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "skipped": self.skipped,
            "rules_run": self.rules_run,
        }


def analyze_connection(
    conn: Connection,
    *,
    source: str = "",
    schema: str | None = None,
    only: list[str] | None = None,
    thresholds: Thresholds | None = None,
) -> AnalysisResult:
    """Introspect the database behind ``conn`` and run the rules (all, or the ids in ``only``)."""
    from sqlalchemy.exc import DBAPIError

    from stanchion.db.schema.source import introspect_checked

    model = introspect_checked(conn, schema)
    ctx = Context(model, conn, thresholds or Thresholds())
    modules = all_rules()
    if only:
        known = {m.RULE.id for m in modules}
        unknown = sorted(set(only) - known)
        if unknown:
            raise UsageError(
                f"unknown analysis rule {', '.join(unknown)}", f"known rules: {', '.join(sorted(known))}"
            )
        modules = [m for m in modules if m.RULE.id in only]
    result = AnalysisResult(source, model.dialect, [], tables=len(model.tables))
    result.catalog_queries = model.catalog_queries
    result.stats_age_days = ctx.stats_age_days()
    for module in modules:
        info = module.RULE
        if model.dialect not in info.dialects:
            continue
        missing = [ext for ext in info.needs if ext not in model.extensions]
        if missing:
            result.skipped.append(
                {
                    "rule": info.id,
                    "reason": f"needs the {', '.join(missing)} extension, not installed in this database",
                    "hint": "; ".join(_EXTENSION_HINT.get(m, f"CREATE EXTENSION {m}") for m in missing),
                }
            )
            continue
        why = parse_doc(module.__doc__, info.id).summary
        try:
            found = list(module.check(ctx))
        except DBAPIError as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            result.skipped.append(
                {
                    "rule": info.id,
                    "reason": detail,
                    "hint": _EXTENSION_HINT.get(info.needs[0], "")
                    if info.needs
                    else "check the database user's privileges",
                }
            )
            continue
        for finding in found:
            finding.why = why
        result.findings.extend(found)
        result.rules_run.append(info.id)
    result.findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.objects))
    return result


def analyze(
    source: str,
    *,
    dialect: str | None = None,
    scratch_url: str | None = None,
    schema: str | None = None,
    only: list[str] | None = None,
    thresholds: Thresholds | None = None,
    fail_on: str = "error",
) -> AnalysisResult:
    """Analyse a database URL, or a schema file loaded into a scratch database of its dialect first."""
    from stanchion.db.schema.source import connect, existing, is_url, loaded
    from stanchion.db.url import parse_url

    if fail_on not in SEVERITY_ORDER and fail_on != "never":
        raise UsageError(f"unknown severity {fail_on!r}", "use error, warning, info or never")
    if is_url(source):
        url = existing(parse_url(source))
        with connect(url) as conn:
            result = analyze_connection(
                conn, source=url.masked, schema=schema, only=only, thresholds=thresholds
            )
    else:
        scratch = parse_url(scratch_url) if scratch_url else None
        with loaded(Path(source), dialect, scratch) as url, connect(url) as conn:
            result = analyze_connection(conn, source=source, schema=schema, only=only, thresholds=thresholds)
    result.fail_on = fail_on
    return result
