"""Load a schema file into a scratch database of its dialect, and make those scratch databases.

A schema file is only as meaningful as the database that accepts it, so analyze and diff never read SQL text
directly: they load it into a throwaway database (a temp file for SQLite, ``CREATE DATABASE`` on a server for
PostgreSQL and MySQL) and introspect that. Errors name the file, line and column.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from stanchion.db.url import DatabaseURL, connect_errors, create_engine, parse_url
from stanchion.errors import EnvironmentProblem, StanchionError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# Statements a dump may carry that address the server, not the schema: skipped when loading.
_SKIP = re.compile(r"^\s*(DROP\s+DATABASE|CREATE\s+DATABASE|USE\s|\\)", re.IGNORECASE)


_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)


@dataclass(frozen=True)
class Statement:
    sql: str
    line: int  # 1-based line of the statement's first character in the file
    column: int


def read_schema_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"schema file {path} does not exist", "check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read schema file {path}: {exc}", "pass a UTF-8 SQL file") from exc


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def _strip_meta(text: str) -> str:
    """Blank psql meta-command lines (``\\c``, ``\\restrict``) so line numbers stay true."""
    return "\n".join("" if line.lstrip().startswith("\\") else line for line in text.split("\n"))


def split_statements(text: str, dialect: str, source: str = "<sql>") -> list[Statement]:
    """Split ``text`` into statements with their positions; a syntax error raises UsageError naming
    ``source:line:column`` (PostgreSQL's own parser for PostgreSQL, SQLite's for SQLite)."""
    if dialect == "postgresql":
        return _split_pg(_strip_meta(text), source)
    if dialect == "sqlite":
        return _split_sqlite(text)
    return _split_tokens(text, source)


def _split_pg(text: str, source: str) -> list[Statement]:
    return [statement for statement, _node, _offset in parse_pg(text, source)]


def parse_pg(text: str, source: str = "<sql>") -> list[tuple[Statement, Any, int]]:
    """PostgreSQL statements of ``text`` with their parse trees (pglast) and the character offset where
    each starts (node locations count from the start of ``text``); psql meta-commands are blanked. A
    syntax error raises UsageError naming ``source:line:column``."""
    from pglast import parser

    text = _strip_meta(text)

    try:
        stmts = parser.parse_sql(text)
    except parser.ParseError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        location = int(exc.args[1]) if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line, col = _position(text, location)
        raise UsageError(
            f"{source}:{line}:{col}: syntax error: {message}", "fix the SQL at that position and run again"
        ) from exc
    out: list[tuple[Statement, Any, int]] = []
    for stmt in stmts:  # pglast reports locations in characters
        start = stmt.stmt_location or 0
        end = start + stmt.stmt_len if stmt.stmt_len else len(text)
        chunk = text[start:end]
        lead = _LEADING.match(chunk)
        offset = start + (lead.end() if lead else 0)
        chunk = chunk[offset - start :]
        line, col = _position(text, offset)
        out.append((Statement(chunk.strip(), line, col), stmt.stmt, offset))
    return out


def _split_sqlite(text: str) -> list[Statement]:
    import sqlite3

    out: list[Statement] = []
    buffer: list[str] = []
    start_line = 1
    for number, line in enumerate(text.split("\n"), start=1):
        if not buffer and not line.strip():
            continue
        if not buffer:
            start_line = number
        buffer.append(line)
        chunk = "\n".join(buffer)
        if sqlite3.complete_statement(chunk):
            if _has_code(chunk):
                out.append(Statement(chunk.strip(), start_line, 1))
            buffer = []
    rest = "\n".join(buffer)
    if _has_code(rest):
        out.append(Statement(rest.strip(), start_line, 1))
    return out


def _has_code(sql: str) -> bool:
    no_block = re.sub(r"/\*.*?\*/", "", sql, flags=re.DOTALL)
    return any(line.strip() and not line.strip().startswith("--") for line in no_block.split("\n"))


def _split_tokens(text: str, source: str) -> list[Statement]:
    from sqlglot.dialects.mysql import MySQL
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType  # type: ignore[attr-defined]

    try:
        tokens = MySQL().tokenize(text)
    except TokenError as exc:
        raise UsageError(f"{source}: cannot tokenize: {exc}", "fix the SQL and run again") from exc
    out: list[Statement] = []
    first = None
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if first is not None:
                out.append(Statement(text[first.start : token.start].strip(), first.line, first.col))
            first = None
        elif first is None:
            first = token
    if first is not None:
        out.append(Statement(text[first.start :].strip(), first.line, first.col))
    return out


def load_sql(conn: Connection, text: str, source: str = "<sql>") -> int:
    """Execute every statement of ``text`` on ``conn`` (autocommit); returns how many ran. A statement the
    database rejects raises UsageError with ``source:line:column`` and the database's message."""
    dialect = "mysql" if conn.dialect.name in ("mysql", "mariadb") else conn.dialect.name
    count = 0
    for stmt in split_statements(text, dialect, source):
        if _SKIP.match(stmt.sql):
            continue
        try:
            run_sql(conn, stmt.sql)
        except Exception as exc:
            if isinstance(exc, StanchionError):
                raise
            orig = getattr(exc, "orig", None) or exc
            detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
            raise UsageError(
                f"{source}:{stmt.line}:{stmt.column}: the {dialect} database rejected the statement: {detail}",
                "fix that statement (the file is loaded into a scratch database, nothing else changed)",
            ) from exc
        count += 1
    return count


def run_sql(conn: Connection, sql: str) -> None:
    """Execute one statement as written: through the driver's cursor, so ``%`` is never a placeholder."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def with_database(url: DatabaseURL, name: str) -> DatabaseURL:
    parts = urlsplit(url.raw)
    return parse_url(urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment)))


class TemplateBusy(Exception):
    """The database to clone has other sessions, so PostgreSQL cannot use it as a template."""


@contextmanager
def scratch_database(
    dialect: str, server: DatabaseURL | None = None, *, template: str | None = None
) -> Iterator[DatabaseURL]:
    """A new database, removed afterwards: a temp SQLite file, or ``CREATE DATABASE`` on ``server``, empty
    or (PostgreSQL) a clone of the database ``template`` on that server (TemplateBusy when it has sessions)."""
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="stanchion-scratch-") as folder:
            yield parse_url(f"sqlite:///{folder}/scratch.db")
        return
    if server is None or server.dialect != dialect:
        raise UsageError(
            f"a {dialect} schema file needs a {dialect} server to load it into",
            f"pass --scratch-url pointing at a {dialect} server where a temporary database may be created",
        )
    name = f"stanchion_scratch_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    quote = '"' if dialect == "postgresql" else "`"
    try:
        from sqlalchemy.exc import DBAPIError

        with connect_errors(server):
            conn = admin.connect()
        with conn:
            clone = f" TEMPLATE {quote}{template.replace(quote, quote * 2)}{quote}" if template else ""
            try:
                conn.exec_driver_sql(f"CREATE DATABASE {quote}{name}{quote}{clone}")
            except DBAPIError as exc:
                if template and getattr(exc.orig, "sqlstate", None) == "55006":
                    raise TemplateBusy(template) from exc
                raise EnvironmentProblem(
                    f"cannot create a scratch database on {server.location}: "
                    f"{str(exc.orig).strip().splitlines()[0]}",
                    "grant the user CREATEDB (PostgreSQL) or CREATE (MySQL), or pass --scratch-url to a "
                    "server where it may create databases",
                ) from exc
        try:
            yield with_database(server, name)
        finally:
            with admin.connect() as conn:
                force = " WITH (FORCE)" if dialect == "postgresql" else ""
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote}{name}{quote}{force}")
    finally:
        admin.dispose()


def detect_dialect(text: str) -> str | None:
    """A guess from the file's own words, used when no flag or URL says: None when nothing gives it away."""
    if re.search(r"\bAUTO_INCREMENT\b|ENGINE\s*=|`", text, re.IGNORECASE):
        return "mysql"
    if re.search(r"\bAUTOINCREMENT\b|\bPRAGMA\b|\bWITHOUT\s+ROWID\b", text, re.IGNORECASE):
        return "sqlite"
    if re.search(
        r"\bSERIAL\b|\bBIGSERIAL\b|::|\bTIMESTAMPTZ\b|\bJSONB\b|\bpg_catalog\b|\bCREATE\s+EXTENSION\b|"
        r"\bGENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
        text,
        re.IGNORECASE,
    ):
        return "postgresql"
    return None
