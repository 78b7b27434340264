"""Where a schema comes from (a database URL or a schema file) and the operations on whole schemas:
read one, diff two with a verified plan, and write dbmate-style migration files."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.db.schema.diff import Step, plan_steps
from stanchion.db.schema.introspect import introspect
from stanchion.db.schema.load import detect_dialect, load_sql, read_schema_file, run_sql, scratch_database
from stanchion.db.url import DatabaseURL, connect_errors, create_engine, parse_url
from stanchion.errors import EnvironmentProblem, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.db.schema.model import Schema


def is_url(source: str) -> bool:
    return "://" in source


@contextmanager
def connect(url: DatabaseURL, *, autocommit: bool = True) -> Iterator[Connection]:
    """A connection to ``url``; connection failures become exit-3 errors naming the server."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT") if autocommit else create_engine(url)
    try:
        with connect_errors(url):
            conn = engine.connect()
        with conn:
            yield conn
    finally:
        engine.dispose()


def existing(url: DatabaseURL) -> DatabaseURL:
    """``url`` itself, after checking that a SQLite file it names exists (reading must not create one)."""
    path = url.sqlite_path
    if path is not None and not path.exists():
        raise UsageError(
            f"no SQLite database at {path}", "check the path, or run `stanchion db migrate` first"
        )
    return url


def resolve_dialect(text: str, dialect: str | None, scratch: DatabaseURL | None) -> str:
    if dialect:
        if dialect not in ("postgresql", "sqlite", "mysql"):
            raise UsageError(f"unknown dialect {dialect!r}", "use postgresql, sqlite or mysql")
        return dialect
    if scratch is not None:
        return scratch.dialect
    return detect_dialect(text) or "sqlite"


@contextmanager
def loaded(
    path: Path, dialect: str | None = None, scratch: DatabaseURL | None = None
) -> Iterator[DatabaseURL]:
    """The schema file at ``path`` loaded into a fresh scratch database, removed afterwards."""
    text = read_schema_file(path)
    chosen = resolve_dialect(text, dialect, scratch)
    with scratch_database(chosen, scratch) as url:
        with connect(url) as conn:
            load_sql(conn, text, str(path))
            if chosen == "postgresql":  # make this session's usage statistics visible to the next one
                conn.exec_driver_sql("SELECT pg_stat_force_next_flush()")
                conn.exec_driver_sql("RESET ALL")
        yield url


def read_schema(
    source: str,
    *,
    dialect: str | None = None,
    scratch: DatabaseURL | None = None,
    schema: str | None = None,
    qualified: bool = False,
) -> Schema:
    """The model of ``source``: a database URL is introspected, a schema file is loaded first
    (``qualified``: see ``introspect``)."""
    if is_url(source):
        url = existing(parse_url(source))
        with connect(url) as conn:
            return introspect_checked(conn, schema, qualified=qualified)
    with loaded(Path(source), dialect, scratch) as url, connect(url) as conn:
        return introspect_checked(conn, schema, qualified=qualified)


def introspect_checked(conn: Connection, schema: str | None, *, qualified: bool = False) -> Schema:
    from sqlalchemy.exc import DBAPIError

    try:
        return introspect(conn, schema, qualified=qualified)
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "permission denied" in detail.lower() or "access denied" in detail.lower():
            raise EnvironmentProblem(
                f"insufficient privileges to read the catalog: {detail}",
                "connect as a user that can read the schema (pg_read_all_stats helps for statistics)",
            ) from exc
        raise


@dataclass
class Verification:
    verified: bool
    message: str
    remaining: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"verified": self.verified, "message": self.message, "remaining": self.remaining}


@dataclass
class DiffResult:
    dialect: str
    source: str
    target: str
    up: list[Step]
    down: list[Step]
    verification: Verification | None = None
    files: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.up

    @property
    def hazards(self) -> list[str]:
        return sorted({h for step in self.up for h in step.hazards})

    def to_json(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "from": self.source,
            "to": self.target,
            "empty": self.empty,
            "hazards": self.hazards,
            "up": [s.to_json() for s in self.up],
            "down": [s.to_json() for s in self.down],
            "verification": self.verification.to_json() if self.verification else None,
            "files": self.files,
        }


def _label(source: str) -> str:
    return parse_url(source).masked if is_url(source) else source


def diff(
    source: str,
    target: str,
    *,
    dialect: str | None = None,
    scratch_url: str | None = None,
    verify: bool = True,
    schema: str | None = None,
) -> DiffResult:
    """Plan ``source`` -> ``target`` (each a URL or a schema file), then verify the plan by applying it to a
    scratch copy of ``source`` and diffing again to empty (and the down plan back to ``source``)."""
    scratch = _scratch_server(source, target, scratch_url)
    a = read_schema(source, dialect=dialect, scratch=scratch, schema=schema, qualified=True)
    b = read_schema(target, dialect=dialect or a.dialect, scratch=scratch, schema=schema, qualified=True)
    up = plan_steps(a, b)
    down = plan_steps(b, a)
    result = DiffResult(a.dialect, _label(source), _label(target), up, down)
    if verify:
        result.verification = verify_plan(source, a, b, up, down, dialect=a.dialect, scratch=scratch)
    return result


def _scratch_server(source: str, target: str, scratch_url: str | None) -> DatabaseURL | None:
    if scratch_url:
        return parse_url(scratch_url)
    for side in (source, target):
        if is_url(side) and parse_url(side).dialect != "sqlite":
            return parse_url(side)
    return None


def verify_plan(
    source: str,
    a: Schema,
    b: Schema,
    up: list[Step],
    down: list[Step],
    *,
    dialect: str,
    scratch: DatabaseURL | None,
) -> Verification:
    with scratch_database(dialect, scratch) as url, connect(url) as conn:
        _copy_schema(conn, source, a, dialect, url)
        failure = _apply(conn, up, "up")
        if failure:
            return Verification(False, failure)
        after_up = introspect_checked(conn, a.name if dialect == "postgresql" else None, qualified=True)
        remaining = [s.sql for s in plan_steps(after_up, b)]
        if remaining:
            return Verification(False, "applying the up plan left differences", remaining)
        failure = _apply(conn, down, "down")
        if failure:
            return Verification(False, failure)
        after_down = introspect_checked(conn, a.name if dialect == "postgresql" else None, qualified=True)
        remaining = [s.sql for s in plan_steps(after_down, a)]
        if remaining:
            return Verification(
                False, "applying the down plan did not return to the source schema", remaining
            )
    return Verification(
        True, "applied up to a scratch copy of the source and diffed again: empty; down returns to the source"
    )


def transactional(steps: list[Step]) -> bool:
    """Whether the plan can run in one transaction (the migration file says so with transaction:false)."""
    return all(step.transactional for step in steps)


def _apply(conn: Connection, steps: list[Step], direction: str) -> str | None:
    """Run ``steps`` as the migration runner would: in one transaction unless the plan cannot be."""
    wrap = transactional(steps)
    if wrap:
        run_sql(conn, "BEGIN")
    for step in steps:
        try:
            run_sql(conn, step.sql)
        except Exception as exc:
            if wrap:
                run_sql(conn, "ROLLBACK")
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return f"the {direction} plan failed on a scratch copy at `{step.sql.splitlines()[0]}`: {detail}"
    if wrap:
        run_sql(conn, "COMMIT")
    return None


def _copy_schema(conn: Connection, source: str, a: Schema, dialect: str, url: DatabaseURL) -> None:
    """Make the scratch database look like ``source``: reload the file, or copy a database's schema."""
    if not is_url(source):
        load_sql(conn, read_schema_file(Path(source)), source)
        if dialect == "postgresql":
            conn.exec_driver_sql("RESET ALL")
        return
    src = parse_url(source)
    if dialect == "sqlite":
        with connect(src) as other:
            rows = other.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid"
            ).fetchall()
        for (sql,) in rows:
            run_sql(conn, sql)
        return
    dump = _pg_dump()
    if dialect == "postgresql" and dump is not None:
        proc = subprocess.run(
            [dump, "--schema-only", "--no-owner", "--no-privileges", "--dbname", src.raw.split("+")[0]],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode == 0:
            load_sql(conn, proc.stdout, "pg_dump of the source")
            conn.exec_driver_sql("RESET ALL")
            return
    for step in plan_steps(type(a)(dialect=a.dialect, name=a.name), a):
        run_sql(conn, step.sql)


def _pg_dump() -> str | None:
    for candidate in ("/usr/lib/postgresql/15/bin/pg_dump", "/usr/lib/postgresql/16/bin/pg_dump"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("pg_dump")


def write_migration(
    folder: Path,
    name: str,
    up: list[str],
    down: list[str],
    *,
    transaction: bool = True,
) -> Path:
    """A new migration in ``folder`` holding ``up`` and ``down``; returns the (up) file written.

    The version and file name come from the migration runner's own ``create`` (a UTC timestamp, bumped past
    the newest version already in the folder, in the folder's layout), so a plan written in the same second
    as another migration never duplicates a version.
    """
    from stanchion.db.migrations.files import create

    def block(statements: list[str]) -> str:
        return "\n".join(s.rstrip().rstrip(";") + ";" for s in statements)

    written = create(folder, name, no_transaction=not transaction)
    marker = "" if transaction else " transaction:false"
    if len(written) == 1 and written[0].suffix == ".sql" and written[0].name != "migration.sql":
        body = f"-- migrate:up{marker}\n{block(up)}\n\n-- migrate:down{marker}\n{block(down)}\n"
        written[0].write_text(body, encoding="utf-8")
        return written[0]
    # layouts with separate up and down files (golang-migrate, flyway), or up only (prisma)
    written[0].write_text(block(up) + "\n", encoding="utf-8")
    if len(written) > 1:
        written[1].write_text(block(down) + "\n", encoding="utf-8")
    return written[0]
