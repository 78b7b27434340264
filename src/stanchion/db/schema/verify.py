"""Verification of a diff's migrations on a scratch copy of the source, as the migration runner would run
them: each migration's up section in one transaction, in order; the result must diff to empty against the
target; then each down section, newest first, must bring the copy back to the source.

The copy is a clone, not a dump: PostgreSQL ``CREATE DATABASE ... TEMPLATE`` of the source (a schema file
was loaded into a scratch database on the same server already; a live database on that server is cloned
directly, rows and all, so a change that existing rows break fails here), falling back to ``pg_dump
--schema-only`` when the source is on another server, larger than ``TEMPLATE_LIMIT``, or has other sessions
open (a template must have none). SQLite copies the file.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.db.schema.diff import plan_steps
from stanchion.db.schema.load import TemplateBusy, load_sql, run_sql, scratch_database
from stanchion.db.url import DatabaseURL

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.db.schema.diff.parts import Part
    from stanchion.db.schema.diff.steps import Step
    from stanchion.db.schema.model import Schema


@dataclass
class Verification:
    verified: bool
    message: str
    remaining: list[str] = field(default_factory=list)
    copy: str = ""  # how the scratch copy was made: "template", "pg_dump", "file copy"

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "message": self.message,
            "remaining": self.remaining,
            "copy": self.copy,
        }


def verify_parts(
    live: DatabaseURL, a: Schema, b: Schema, parts: list[Part], *, scratch: DatabaseURL | None
) -> Verification:
    """Apply ``parts`` to a clone of the database at ``live`` (which holds ``a``) and check the result."""
    from stanchion.db.schema.source import connect, introspect_checked

    schema = a.name if a.dialect == "postgresql" else None
    with _clone(live, scratch) as (url, how), connect(url) as conn:
        for number, part in enumerate(parts, start=1):
            failure = apply_steps(conn, part.up, f"up plan (migration {number} of {len(parts)})")
            if failure:
                return Verification(False, failure, copy=how)
        remaining = [s.sql for s in plan_steps(introspect_checked(conn, schema, qualified=True), b)]
        if remaining:
            return Verification(False, "applying the up plan left differences", remaining, how)
        for number, part in reversed(list(enumerate(parts, start=1))):
            failure = apply_steps(conn, part.down, f"down plan (migration {number} of {len(parts)})")
            if failure:
                return Verification(False, failure, copy=how)
        remaining = [s.sql for s in plan_steps(introspect_checked(conn, schema, qualified=True), a)]
        if remaining:
            return Verification(
                False, "applying the down plan did not return to the source schema", remaining, how
            )
    return Verification(
        True,
        "applied up to a scratch copy of the source and diffed again: empty; down returns to the source",
        copy=how,
    )


def apply_steps(conn: Connection, steps: list[Step], what: str) -> str | None:
    """Run ``steps`` in one transaction, as the migration runner runs one migration; the failure, if any."""
    run_sql(conn, "BEGIN")
    for step in steps:
        try:
            run_sql(conn, step.sql)
        except Exception as exc:
            run_sql(conn, "ROLLBACK")
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return f"the {what} failed on a scratch copy at `{step.sql.splitlines()[0]}`: {detail}"
    run_sql(conn, "COMMIT")
    return None


@contextmanager
def _clone(live: DatabaseURL, scratch: DatabaseURL | None) -> Iterator[tuple[DatabaseURL, str]]:
    if live.dialect == "sqlite":
        with scratch_database("sqlite") as url:
            source = live.sqlite_path
            if source is not None:
                with sqlite3.connect(source) as src, sqlite3.connect(url.sqlite_path or "") as dst:
                    src.backup(dst)
            yield url, "file copy"
        return
    server = scratch or live
    same_server = (server.host, server.port) == (live.host, live.port)
    if same_server and live.database and _size(server, live.database) <= TEMPLATE_LIMIT:
        try:
            with scratch_database(live.dialect, server, template=live.database) as url:
                yield url, "template"
            return
        except TemplateBusy:
            pass  # other sessions on the source: copy it with pg_dump instead
    with scratch_database(live.dialect, server) as url:
        from stanchion.db.schema.source import connect

        with connect(url) as conn:
            _dump_into(conn, live)
        yield url, "pg_dump"


TEMPLATE_LIMIT = 256 * 1024 * 1024  # a clone copies the rows too: larger sources are copied schema-only


def _size(server: DatabaseURL, database: str) -> int:
    from stanchion.db.schema.source import connect

    with connect(server) as conn:
        row = conn.exec_driver_sql("SELECT pg_database_size(%(d)s)", {"d": database}).first()
    return int(row[0]) if row is not None else 0


def _dump_into(conn: Connection, live: DatabaseURL) -> None:
    dump = _pg_dump()
    if dump is None:
        from stanchion.errors import EnvironmentProblem

        raise EnvironmentProblem(
            "cannot copy the source for verification: pg_dump not found and the source cannot be a template",
            "install postgresql-client, close other sessions on the source, or pass --no-verify",
        )
    proc = subprocess.run(
        [dump, "--schema-only", "--no-owner", "--no-privileges", "--dbname", live.raw.split("+")[0]],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        from stanchion.errors import EnvironmentProblem

        detail = proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else f"exit {proc.returncode}"
        raise EnvironmentProblem(
            f"pg_dump of the source failed: {detail}", "check the source URL's privileges"
        )
    load_sql(conn, proc.stdout, "pg_dump of the source")
    conn.exec_driver_sql("RESET ALL")


def _pg_dump() -> str | None:
    for candidate in ("/usr/lib/postgresql/15/bin/pg_dump", "/usr/lib/postgresql/16/bin/pg_dump"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("pg_dump")
