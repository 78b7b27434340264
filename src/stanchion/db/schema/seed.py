"""The seed-compatible forms of the schema tools, for the shim that keeps the original flags working:

--connection URL --analyze                     -> analyze(URL)
schema.sql --analyze                           -> analyze(schema.sql)
old.sql --compare new.sql --output migrations/ -> diff(old.sql, new.sql) + a migration file
--connection URL --suggest-indexes --output d/ -> suggest_indexes(URL, output=d/)
schema.sql --suggest-indexes [--queries f]     -> suggest_indexes(schema.sql, queries_file=f)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stanchion.errors import UsageError


def run_seed(
    *,
    schema_file: str | None = None,
    connection: str | None = None,
    analyze: bool = False,
    compare: str | None = None,
    suggest_indexes: bool = False,
    output: str | None = None,
    queries: str | None = None,
    dialect: str | None = None,
    scratch_url: str | None = None,
) -> Any:
    """Dispatch one seed-style invocation to the core and return its result object."""
    source = connection or schema_file
    if source is None:
        raise UsageError("give a schema file or --connection URL", "for example: schema.sql --analyze")
    chosen = sum(bool(x) for x in (analyze, compare, suggest_indexes))
    if chosen != 1:
        raise UsageError(
            "choose one of --analyze, --compare FILE, --suggest-indexes", "they cannot be combined"
        )
    scratch = scratch_url or (connection if schema_file and connection else None)
    if analyze:
        from stanchion.db.analyze import analyze as run_analyze

        return run_analyze(source, dialect=dialect, scratch_url=scratch)
    if compare:
        from stanchion.db.schema.source import diff, write_diff

        result = diff(source, compare, dialect=dialect, scratch_url=scratch)
        if output:
            write_diff(result, Path(output))
        return result
    from stanchion.db.advise import suggest_indexes as run_suggest

    return run_suggest(
        source,
        queries_file=Path(queries) if queries else None,
        output=Path(output) if output else None,
        scratch_url=scratch,
    )
