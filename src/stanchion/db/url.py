"""Database URLs: parsing, dialect detection, masking, and connecting with errors a user can act on.

One place turns a URL a user typed into a SQLAlchemy engine. Accepted forms::

    sqlite:///relative/path.db     sqlite:////absolute/path.db     sqlite:///:memory:
    postgresql://user:pw@host:5432/db     postgres://...     postgresql+psycopg://...
    mysql://user:pw@host:3306/db          mariadb://...      mysql+pymysql://...

Errors: an unknown scheme or malformed URL is a UsageError (exit 2); an unreachable server is an
EnvironmentProblem (exit 3) naming host and port with the password masked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit

from stanchion.errors import EnvironmentProblem, UsageError
from stanchion.redact import mask_secrets, mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

Dialect = Literal["sqlite", "postgresql", "mysql"]

_SCHEMES: dict[str, tuple[Dialect, str]] = {
    "sqlite": ("sqlite", "sqlite"),
    "postgresql": ("postgresql", "postgresql+psycopg"),
    "postgres": ("postgresql", "postgresql+psycopg"),
    "postgresql+psycopg": ("postgresql", "postgresql+psycopg"),
    "postgresql+psycopg2": ("postgresql", "postgresql+psycopg"),
    "mysql": ("mysql", "mysql+pymysql"),
    "mariadb": ("mysql", "mysql+pymysql"),
    "mysql+pymysql": ("mysql", "mysql+pymysql"),
    "mariadb+pymysql": ("mysql", "mysql+pymysql"),
}
DEFAULT_PORTS: dict[Dialect, int] = {"postgresql": 5432, "mysql": 3306, "sqlite": 0}


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL; ``str()`` is the masked form, safe to show."""

    raw: str
    dialect: Dialect
    sqlalchemy_url: str
    host: str | None
    port: int | None
    database: str | None
    username: str | None

    def __str__(self) -> str:
        return mask_url(self.raw)

    @property
    def masked(self) -> str:
        return mask_url(self.raw)

    @property
    def location(self) -> str:
        """Where the database lives, for messages: ``host:port/db`` or the SQLite file path."""
        if self.dialect == "sqlite":
            return self.database or ":memory:"
        return f"{self.host}:{self.port}/{self.database or ''}"

    @property
    def sqlite_path(self) -> Path | None:
        if self.dialect != "sqlite" or not self.database or self.database == ":memory:":
            return None
        return Path(self.database)


def parse_url(raw: str) -> DatabaseURL:
    """Parse and validate ``raw``; raises UsageError with the accepted schemes when it cannot be used."""
    raw = raw.strip()
    if "://" not in raw:
        raise UsageError(
            f"not a database URL: {mask_secrets(raw)!r}",
            "use a URL such as sqlite:///app.db, postgresql://user@host:5432/db or mysql://user@host/db",
        )
    scheme = raw.split("://", 1)[0].lower()
    if scheme not in _SCHEMES:
        known = ", ".join(sorted({s.split("+")[0] for s in _SCHEMES}))
        raise UsageError(f"unknown database URL scheme '{scheme}' in {mask_url(raw)}", f"use one of: {known}")
    dialect, driver = _SCHEMES[scheme]
    rest = raw.split("://", 1)[1]
    if dialect == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        path = path.split("?", 1)[0]
        database = path or ":memory:"
        return DatabaseURL(raw, "sqlite", f"sqlite:///{path}", None, None, database, None)
    try:
        parts = urlsplit(raw)
        port = parts.port or DEFAULT_PORTS[dialect]
    except ValueError as exc:
        raise UsageError(f"malformed database URL {mask_url(raw)}: {exc}", "check the host and port") from exc
    if not parts.hostname:
        raise UsageError(
            f"database URL {mask_url(raw)} has no host", "write it as scheme://user@host:port/database"
        )
    name = unquote(parts.path.lstrip("/")) or None
    return DatabaseURL(
        raw=raw,
        dialect=dialect,
        sqlalchemy_url=f"{driver}://{rest}",
        host=parts.hostname,
        port=port,
        database=name,
        username=unquote(parts.username) if parts.username else None,
    )


def create_engine(url: DatabaseURL | str, **kwargs: object) -> Engine:
    """A SQLAlchemy engine for ``url`` (imported lazily). Connection errors surface on first use: wrap
    that use in :func:`connect_errors`."""
    import sqlalchemy

    parsed = parse_url(url) if isinstance(url, str) else url
    if parsed.dialect == "sqlite":
        path = parsed.sqlite_path
        if path is not None and not path.parent.exists():
            raise UsageError(
                f"folder for SQLite database {path} does not exist",
                f"create {path.parent} or choose another path",
            )
    connect_args: dict[str, object] = dict(kwargs.pop("connect_args", None) or {})  # type: ignore[call-overload]
    if parsed.dialect == "postgresql" or parsed.dialect == "mysql":
        connect_args.setdefault("connect_timeout", 10)
    return sqlalchemy.create_engine(parsed.sqlalchemy_url, connect_args=connect_args, **kwargs)


@contextmanager
def connect_errors(url: DatabaseURL) -> Iterator[None]:
    """Wrap the act of connecting: driver failures become EnvironmentProblem (exit 3) naming host, port
    and the masked URL. Wrap only the connect call; errors from running SQL are not connection errors.

    Usage::

        with connect_errors(url):
            conn = engine.connect()
    """
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        detail = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        raise EnvironmentProblem(
            f"cannot connect to {url.dialect} database at {url.location} ({url.masked}): "
            f"{mask_secrets(detail[0] if detail else type(exc).__name__)}",
            "check that the server is running and reachable, and that the URL, user and password are right",
        ) from exc
