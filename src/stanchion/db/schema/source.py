"""Where a schema comes from (a database URL or a schema file) and the operations on whole schemas:
read one, diff two with a verified plan, and write dbmate-style migration files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.db.schema.introspect import introspect
from stanchion.db.schema.load import detect_dialect, load_sql, read_schema_file, scratch_database
from stanchion.db.url import DatabaseURL, connect_errors, create_engine, parse_url
from stanchion.errors import EnvironmentProblem, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.db.schema.diff.parts import Part
    from stanchion.db.schema.diff.steps import Step
    from stanchion.db.schema.model import Schema
    from stanchion.db.schema.verify import Verification


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
class DiffResult:
    dialect: str
    source: str
    target: str
    up: list[Step]
    down: list[Step]
    verification: Verification | None = None
    files: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)  # the migrations, each atomic on its own
    allow_data_loss: bool = False
    not_compared: dict[str, int] = field(default_factory=dict)  # kinds outside the model, most on one side

    @property
    def data_loss(self) -> list[str]:
        """Drop-and-re-add steps of the up plan that lose data (they need ``allow_data_loss``)."""
        from stanchion.db.schema.diff.steps import replacements

        return [s.sql for s in replacements(self.up)]

    @property
    def refused(self) -> str | None:
        """Why the migrations are not written, if they are not."""
        if self.verification is not None and not self.verification.verified:
            return "the plan did not verify"
        if self.data_loss and not self.allow_data_loss:
            return (
                f"{len(self.data_loss)} step(s) drop and re-add what cannot be altered in place, losing its "
                "data; pass --allow-data-loss to write them"
            )
        return None

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
            "migrations": [p.to_json() for p in self.parts],
            "data_loss": self.data_loss,
            "not_compared": self.not_compared,
            "refused": self.refused,
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
    allow_data_loss: bool = False,
) -> DiffResult:
    """Plan ``source`` -> ``target`` (each a URL or a schema file) as one or more atomic migrations, then
    verify them on a clone of ``source``: applied in order they diff to empty against ``target``, and their
    down sections return to ``source`` (``stanchion.db.schema.verify``)."""
    from stanchion.db.schema.diff.parts import split

    scratch = _scratch_server(source, target, scratch_url)
    with ExitStack() as stack:
        a_url = _live(stack, source, dialect, scratch)
        a = _read(a_url, schema)
        b_url = _live(stack, target, dialect or a.dialect, scratch)
        b = _read(b_url, schema)
        parts = split(a, b)
        up = [step for part in parts for step in part.up]
        down = [step for part in reversed(parts) for step in part.down]
        result = DiffResult(
            a.dialect, _label(source), _label(target), up, down, parts=parts, allow_data_loss=allow_data_loss
        )
        for kind in sorted({*a.not_modelled, *b.not_modelled}):
            result.not_compared[kind] = max(a.not_modelled.get(kind, 0), b.not_modelled.get(kind, 0))
        own = {e.name for s in (a, b) for e in s.extensions.values() if e.schema == s.name}
        if a.dialect == "postgresql" and own:
            result.not_compared["extension versions"] = len(own)
        if verify:
            from stanchion.db.schema.verify import verify_parts

            result.verification = verify_parts(a_url, a, b, parts, scratch=scratch)
    return result


def _live(stack: ExitStack, source: str, dialect: str | None, scratch: DatabaseURL | None) -> DatabaseURL:
    """A database holding ``source``: the URL itself, or the schema file loaded into a scratch database
    that stays until the diff is done (verification clones it)."""
    if is_url(source):
        return existing(parse_url(source))
    return stack.enter_context(loaded(Path(source), dialect, scratch))


def _read(url: DatabaseURL, schema: str | None) -> Schema:
    with connect(url) as conn:
        return introspect_checked(conn, schema, qualified=True)


def _scratch_server(source: str, target: str, scratch_url: str | None) -> DatabaseURL | None:
    if scratch_url:
        return parse_url(scratch_url)
    for side in (source, target):
        if is_url(side) and parse_url(side).dialect != "sqlite":
            return parse_url(side)
    return None


def write_diff(result: DiffResult, folder: Path) -> list[str]:
    """The diff's migrations written into ``folder``, in order; nothing when the plan is empty or refused
    (it failed verification, or loses data without ``allow_data_loss``)."""
    if result.empty or result.refused:
        return []
    for part in result.parts:
        path = write_migration(folder, part.name, [s.sql for s in part.up], [s.sql for s in part.down])
        result.files.append(str(path))
    return result.files


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
