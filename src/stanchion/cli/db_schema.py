"""``stanchion db analyze | suggest-indexes | diff | lint | rules``: thin adapters over the schema tools.

Registered on the ``stanchion db`` group by :func:`register`; every import of the core happens inside the
command that needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from stanchion.cli.common import check_output, json_option, output, raise_for_exit, settings_for
from stanchion.text import counted

_DIALECT = click.Choice(["postgresql", "sqlite", "mysql"])
_SEVERITY_MARK = {"error": "E", "warning": "W", "info": "I"}


def register(group: click.Group) -> None:
    """Add the schema commands to the ``stanchion db`` group."""
    for command in (analyze_command, suggest_command, diff_command, lint_command, rules_command):
        group.add_command(command)


def _source(source: str | None, database_url: str | None) -> str:
    """SCHEMA.sql when given (then --database-url only names the server for its scratch database), else the
    database URL from the flag, environment or configuration."""
    if source:
        return source
    return str(settings_for(database_url=database_url).database_url)


@click.command("analyze")
@click.argument("source", required=False, metavar="[SCHEMA.sql]")
@click.option("--database-url", "database_url", default=None, metavar="URL", help="Database to analyse.")
@click.option("--dialect", type=_DIALECT, default=None, help="Dialect of SCHEMA.sql (default: guessed).")
@click.option(
    "--scratch-url", default=None, metavar="URL", help="Server for the scratch database a file loads into."
)
@click.option("--schema", "schema_name", default=None, help="PostgreSQL schema (default: public).")
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity or worse is found.",
)
@click.option(
    "--slow-query-ms",
    type=click.FloatRange(min=0),
    default=None,
    metavar="MS",
    help="slow-queries: mean time at or over this (default: config slow_query_ms, 20).",
)
@click.option(
    "--slow-query-calls",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="slow-queries: at least this many calls (default: config slow_query_calls, 100).",
)
@json_option
@click.pass_context
def analyze_command(
    ctx: click.Context,
    source: str | None,
    database_url: str | None,
    dialect: str | None,
    scratch_url: str | None,
    schema_name: str | None,
    rules: tuple[str, ...],
    fail_on: str,
    slow_query_ms: float | None,
    slow_query_calls: int | None,
    json_mode: bool,
) -> None:
    """Find schema problems: missing keys and indexes, duplicate, unused and invalid indexes, sequences
    near their limit, slow queries and N+1 suspects (pg_stat_statements).

    \b
    A SCHEMA.sql is loaded into a scratch database of its dialect first
    (SQLite: a temp file; PostgreSQL/MySQL: --scratch-url or --database-url).

    \b
    Examples:
      stanchion db analyze --database-url postgresql://app@127.0.0.1/app
      stanchion db analyze schema.sql --dialect sqlite
      stanchion db analyze schema.sql --scratch-url postgresql://postgres@127.0.0.1/postgres --json
      stanchion db analyze --rule fk-without-index --rule missing-primary-key
      stanchion db analyze --rule slow-queries --slow-query-ms 50 --slow-query-calls 1000

    \b
    slow-queries follows PgHero: a mean of 20 ms or more over 100 calls or more
    (one-off bulk statements stay out); set both in [tool.stanchion.db.analyze]
    as slow_query_ms and slow_query_calls. unused-index never suggests dropping
    an index that backs a key or a foreign key, and says "stats too young" while
    the statistics (or the index) are under unused_index_min_age_days (7) old.
    """
    from stanchion.db.analyze import analyze
    from stanchion.db.analyze.base import configured_thresholds
    from stanchion.errors import ConfigError

    out = output(ctx, json_mode)
    settings = settings_for()
    table = settings.section("db").get("analyze", {})
    where = str(settings.config_file or "configuration")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: 'db.analyze' must be a table", "write it as [tool.stanchion.db.analyze]")
    flags = {"slow_query_ms": slow_query_ms, "slow_query_calls": slow_query_calls}
    thresholds = configured_thresholds(table, where, flags)
    target = _source(source, database_url)
    scratch = scratch_url or (database_url if source else None)
    result = analyze(
        target,
        dialect=dialect,
        scratch_url=scratch,
        schema=schema_name,
        only=list(rules) or None,
        thresholds=thresholds,
        fail_on=fail_on,
    )
    out.result(result.to_json(), _render_analysis(result))
    raise_for_exit(result.exit_code if fail_on != "never" else 0)


def _render_analysis(result: Any) -> str:
    age = "unknown" if result.stats_age_days is None else f"{result.stats_age_days:.1f} days"
    lines = [
        f"analyzed {result.source} ({result.dialect}): {counted(result.tables, 'table')}, "
        f"{counted(result.catalog_queries, 'catalog query', 'catalog queries')}, statistics age {age}"
    ]
    for f in result.findings:
        lines.append(f"{f.severity:<7} {f.rule:<28} {f.message}")
        if f.fix:
            lines.append(f"{'':<37}fix: {f.fix}")
    for skip in result.skipped:
        lines.append(
            f"skipped {skip['rule']:<28} {skip['reason']}"
            + (f" ({skip['hint']})" if skip.get("hint") else "")
        )
    counts = result.counts()
    lines.append(
        f"{counted(counts['error'], 'error')}, {counted(counts['warning'], 'warning')}, {counts['info']} info"
    )
    return "\n".join(lines)


@click.command("suggest-indexes")
@click.argument("source", required=False, metavar="[SCHEMA.sql]")
@click.option("--database-url", "database_url", default=None, metavar="URL", help="PostgreSQL database.")
@click.option(
    "--queries", "queries", type=click.Path(path_type=Path), default=None, help="SQL file of queries."
)
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Write a migration.",
)
@click.option(
    "--scratch-url", default=None, metavar="URL", help="Server for the scratch database a file loads into."
)
@click.option("--min-mean-ms", type=float, default=0.0, show_default=True, help="Only statements this slow.")
@json_option
@click.pass_context
def suggest_command(
    ctx: click.Context,
    source: str | None,
    database_url: str | None,
    queries: Path | None,
    output_dir: Path | None,
    scratch_url: str | None,
    min_mean_ms: float,
    json_mode: bool,
) -> None:
    """Propose indexes for slow queries, each proven with a HypoPG hypothetical index.

    \b
    Queries come from pg_stat_statements (most total time first) or --queries.
    A candidate is kept when the planner's cost falls by half or more; --output
    writes a no-transaction migration with CREATE INDEX CONCURRENTLY.
    A schema file without --queries gets structural advice: an index for every
    foreign key that no index leads with (any dialect).

    \b
    Examples:
      stanchion db suggest-indexes --database-url postgresql://app@127.0.0.1/app
      stanchion db suggest-indexes --database-url postgresql://app@127.0.0.1/app --output migrations/
      stanchion db suggest-indexes schema.sql --queries slow.sql --scratch-url postgresql://postgres@127.0.0.1/postgres
      stanchion db suggest-indexes schema.sql --output migrations/      structural advice, no queries needed
    """
    from stanchion.db.advise import suggest_indexes

    out = output(ctx, json_mode)
    check_output(output_dir, "--output", folder=True)
    target = _source(source, database_url)
    scratch = scratch_url or (database_url if source else None)
    result = suggest_indexes(
        target, queries_file=queries, output=output_dir, scratch_url=scratch, min_mean_ms=min_mean_ms
    )
    lines = [f"examined {counted(result.examined, 'query', 'queries')} on {result.source}"]
    if result.examined == 0 and not result.skipped:
        lines = [f"structural advice for {result.source} (no query history; --queries FILE tests costs)"]
    for s in result.suggestions:
        lines.append(s.create_sql() + ";")
        if s.reason:
            lines.append(f"  {s.reason}")
        for q in s.queries:
            lines.append(
                f"  cost {q.cost_before:.0f} -> {q.cost_after:.0f} ({q.ratio:.1f}x): {' '.join(q.query.split())[:100]}"
            )
    for skip in result.skipped:
        lines.append(f"skipped (cannot plan: {skip['reason']}): {' '.join(skip['query'].split())[:80]}")
    if not result.suggestions:
        lines.append(
            "no index lowers a query's cost by half or more"
            if result.examined
            else "every foreign key already has an index leading with its columns"
        )
    if result.file:
        lines.append(f"wrote {result.file}")
    out.result(result.to_json(), "\n".join(lines))


@click.command("diff")
@click.option("--from", "source", required=True, metavar="URL|FILE", help="The schema you have.")
@click.option("--to", "target", required=True, metavar="URL|FILE", help="The schema you want.")
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Write a migration.",
)
@click.option("--dialect", type=_DIALECT, default=None, help="Dialect of schema files (default: guessed).")
@click.option(
    "--scratch-url", default=None, metavar="URL", help="Server for scratch databases (files, verify)."
)
@click.option("--schema", "schema_name", default=None, help="PostgreSQL schema (default: public).")
@click.option("--no-verify", is_flag=True, help="Skip applying the plan to a scratch copy.")
@click.option(
    "--allow-data-loss",
    is_flag=True,
    help="Write a plan that drops and re-adds a column or table it cannot alter (its data is lost).",
)
@json_option
@click.pass_context
def diff_command(
    ctx: click.Context,
    source: str,
    target: str,
    output_dir: Path | None,
    dialect: str | None,
    scratch_url: str | None,
    schema_name: str | None,
    no_verify: bool,
    allow_data_loss: bool,
    json_mode: bool,
) -> None:
    """Plan the SQL that turns one schema into another, with hazards, verified on a scratch copy.

    \b
    Both sides are normalised through a scratch database and introspected. The up plan is
    applied to a scratch copy of --from and diffed again to empty; the down plan must
    return to --from. Exit 1 when that verification fails. A plan that adds enum labels is
    written as two migrations, each atomic. A plan that drops and re-adds a column or table
    it cannot alter is written only with --allow-data-loss (exit 1 otherwise).

    \b
    Examples:
      stanchion db diff --from old.sql --to new.sql --dialect sqlite
      stanchion db diff --from postgresql://app@127.0.0.1/app --to schema.sql --output migrations/
      stanchion db diff --from postgresql://app@127.0.0.1/app --to schema.sql --schema billing
      stanchion db diff --from old.sql --to new.sql --scratch-url postgresql://postgres@127.0.0.1/postgres --json
    """
    from stanchion.db.schema.source import diff, write_diff

    out = output(ctx, json_mode)
    check_output(output_dir, "--output", folder=True)
    result = diff(
        source,
        target,
        dialect=dialect,
        scratch_url=scratch_url,
        verify=not no_verify,
        schema=schema_name,
        allow_data_loss=allow_data_loss,
    )
    if output_dir is not None:
        write_diff(result, output_dir)
    out.result(result.to_json(), _render_diff(result, output_dir is not None))
    failed = result.verification is not None and not result.verification.verified
    raise_for_exit(1 if failed or (output_dir is not None and result.refused) else 0)


def _not_compared(result: Any) -> list[str]:
    if not result.not_compared:
        return []
    kinds = ", ".join(f"{kind} ({count})" for kind, count in result.not_compared.items())
    return [f"-- not compared (outside the model, left as they are): {kinds}"]


def _render_diff(result: Any, writing: bool = False) -> str:
    if result.empty:
        same = f"{result.source} and {result.target} have the same schema"
        return "\n".join([same, *_not_compared(result)])
    lines = [f"-- {result.source} -> {result.target} ({result.dialect})", "-- up"]
    for step in result.up:
        note = f"  -- hazard: {', '.join(step.hazards)}" if step.hazards else ""
        lines.append(step.sql + ";" + note)
    lines.append("-- down")
    lines += [step.sql + ";" for step in result.down]
    if result.hazards:
        lines.append(f"-- hazards: {', '.join(result.hazards)}")
    if result.verification is not None:
        mark = "verified" if result.verification.verified else "NOT verified"
        lines.append(f"-- {mark}: {result.verification.message}")
        lines += [f"--   remaining: {sql}" for sql in result.verification.remaining]
    if len(result.parts) > 1:
        lines.append(
            f"-- {len(result.parts)} migrations, each in its own transaction: "
            "new enum labels commit before anything uses them"
        )
    lines += [f"-- wrote {path}" for path in result.files]
    lines += [f"-- data loss: {sql}" for sql in result.data_loss]
    lines += _not_compared(result)
    if result.refused and writing:
        lines.append(f"-- no migration written: {result.refused}")
    return "\n".join(lines)


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE|DIR...")
@click.option(
    "--database-url", "database_url", default=None, metavar="URL", help="Live database for table sizes."
)
@click.option(
    "--dialect", type=_DIALECT, default=None, help="Dialect of the migrations (default: from URL or guess)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Report format; sarif is a SARIF 2.1.0 log for code-scanning UIs.",
)
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@json_option
@click.pass_context
def lint_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    database_url: str | None,
    dialect: str | None,
    fmt: str,
    rules: tuple[str, ...],
    json_mode: bool,
) -> None:
    """Check migrations for statements that lock, rewrite or lose data in production.

    \b
    PostgreSQL rules follow squawk and strong_migrations and read the statements in order;
    with --database-url they use live facts (a rewrite or lock of an empty table is info, of
    a small one a warning; function volatility, indexes, the server version). Suppress one
    finding with a reason:
      -- stanchion:ignore ban-drop-column -- unused since 4.2
    Exit 1 when an error remains. The dialect comes from --dialect, else --database-url,
    else a database_url you configured (DATABASE_URL, STANCHION_DATABASE_URL or the
    config file; not the SQLite default), else the SQL itself (PostgreSQL when unsure).

    \b
    Examples:
      stanchion db lint migrations/
      stanchion db lint migrations/20240101000000_add_index.sql --format github
      stanchion db lint migrations/ --database-url postgresql://app@127.0.0.1/app --json
      stanchion db lint migrations/ --format sarif > lint.sarif
    """
    from stanchion.db.lint import lint

    json_mode = json_mode or fmt in ("json", "sarif")
    out = output(ctx, json_mode)
    if dialect is None and database_url is None:
        dialect = _configured_dialect()
    result = lint(list(paths), dialect=dialect, database_url=database_url, only=list(rules) or None)
    if fmt == "sarif":
        from stanchion.db.lint.sarif import to_sarif

        out.result(to_sarif(result))
    elif fmt == "github" and not json_mode:
        level = {"error": "error", "warning": "warning", "info": "notice"}
        text = "\n".join(
            f"::{level[f.severity]} file={f.path},line={f.line},col={f.column},title={f.rule}::{f.message}"
            for f in result.findings
        )
        out.result(result.to_json(), text or "no findings")
    else:
        lines = [
            f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            + (f" ({f.note})" if f.note else "")
            for f in result.findings
        ]
        lines += [
            f"{s['path']}:{s['line']}: suppressed {s['rule']}: {s['reason']}" for s in result.suppressed
        ]
        counts = result.to_json()["counts"]
        lines.append(
            f"{counted(len(result.files), 'file')}: {counted(counts['error'], 'error')}, "
            f"{counted(counts['warning'], 'warning')}, {counts['info']} info"
        )
        out.result(result.to_json(), "\n".join(lines))
    raise_for_exit(result.exit_code)


@click.command("rules")
@click.option("--kind", type=click.Choice(["analyze", "lint", "diff"]), default=None, help="Only this kind.")
@click.option("--markdown", is_flag=True, help="Print the tables docs/db.md embeds.")
@json_option
@click.pass_context
def rules_command(ctx: click.Context, kind: str | None, markdown: bool, json_mode: bool) -> None:
    """List the analysis and lint rules (generated from their docstrings).

    \b
    Examples:
      stanchion db rules
      stanchion db rules --kind lint --json
      stanchion db rules --markdown
    """
    from stanchion.db.analyze.docs import rules, table_markdown

    out = output(ctx, json_mode)
    kinds = [kind] if kind else ["analyze", "lint", "diff"]
    document = {k: rules(k) for k in kinds if k != "diff"}
    if markdown:
        text = "\n\n".join(f"### {k}\n\n{table_markdown(k)}" for k in kinds)
    else:
        text = "\n".join(
            f"{k:<8} {r['id']:<34} {r['severity']:<8} {r['summary']}" for k in document for r in document[k]
        )
    out.result(document, text)


def _configured_dialect() -> str | None:
    """The dialect of a database URL the user configured (not the embedded default), as a hint for lint."""
    from stanchion.db.url import parse_url

    settings = settings_for()
    if settings.sources["database_url"] == "default":
        return None
    return parse_url(settings.database_url).dialect
