"""MySQL and MariaDB: sqlglot's tokenizer splits scripts, ``GET_LOCK`` guards runs.

Splitting keeps stored-program bodies whole: semicolons inside ``BEGIN ... END`` (and ``CASE ... END``)
blocks belong to the enclosing ``CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT`` statement, so no ``DELIMITER``
command (a feature of the mysql client, not the server) is needed.

MySQL commits DDL implicitly, so a migration cannot be rolled back as a whole: the runner records progress
statement by statement and a failure leaves a ``failed`` history row naming the statement it stopped at.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from stanchion.db.dialects.base import Connection, Dialect, Statement, query, unreachable
from stanchion.db.dialects.tokens import split_on_tokens, sql_tokens
from stanchion.errors import EnvironmentProblem

_BLOCK_CLOSERS_IGNORED = frozenset({"IF", "LOOP", "WHILE", "REPEAT"})


def top_level_tokens(tokens: list[Any]) -> list[Any]:
    """``tokens`` without the semicolons that sit inside BEGIN/CASE ... END blocks."""
    from sqlglot.tokens import TokenType  # type: ignore[attr-defined]

    kept: list[Any] = []
    depth = 0
    at_start = True
    for index, token in enumerate(tokens):
        word = token.text.upper()
        following = tokens[index + 1].text.upper() if index + 1 < len(tokens) else ""
        if token.token_type == TokenType.SEMICOLON:
            if depth > 0:
                continue
            at_start = True
            kept.append(token)
            continue
        if (word == "BEGIN" and (not at_start or following in ("NOT", "ATOMIC"))) or word == "CASE":
            depth += 1
        elif word == "END" and following not in _BLOCK_CLOSERS_IGNORED and depth > 0:
            depth -= 1
        at_start = False
        kept.append(token)
    return kept


class MySQLDialect(Dialect):
    name: ClassVar[str] = "mysql"
    transactional_ddl: ClassVar[bool] = False
    param: ClassVar[str] = "%s"
    begin_sql: ClassVar[str] = "START TRANSACTION"

    mariadb: bool = False

    def connect(self) -> Connection:
        import pymysql

        parts = urlsplit(self.url.raw)
        options = dict(parse_qsl(parts.query))
        try:
            conn = pymysql.connect(
                host=self.url.host or "127.0.0.1",
                port=self.url.port or 3306,
                user=self.url.username or "root",
                password=unquote(parts.password) if parts.password else "",
                database=self.url.database,
                charset=options.get("charset", "utf8mb4"),
                autocommit=True,
                connect_timeout=10,
            )
        except pymysql.err.MySQLError as exc:
            raise unreachable(self.url, exc) from exc
        self.mariadb = "mariadb" in str(query(conn, "SELECT VERSION()")[0][0]).lower()
        return conn

    def split(self, script: str) -> list[Statement]:
        return split_on_tokens(script, top_level_tokens(sql_tokens(script, "mysql")))

    def _error_code(self, exc: BaseException) -> int | None:
        args = getattr(exc, "args", ())
        return args[0] if args and isinstance(args[0], int) else None

    def is_lock_timeout(self, exc: BaseException) -> bool:
        return self._error_code(exc) == 1205

    def syntax_error(self, conn: Connection, statement: Statement) -> tuple[str, int] | None:
        """The server's parser through ``PREPARE``: it parses the statement and runs nothing. A parse error
        is ER_PARSE_ERROR (1064) or ER_SYNTAX_ERROR (1149); anything else (a table that an earlier statement
        creates, a statement type that cannot be prepared, 1295) is left to the run itself."""
        import re

        import pymysql

        try:
            query(conn, "SET @stanchion_syntax_check = %s", (statement.sql,))
            query(conn, "PREPARE stanchion_syntax_check FROM @stanchion_syntax_check")
        except pymysql.err.MySQLError as exc:
            if self._error_code(exc) in (1064, 1149):
                found = re.search(r"at line (\d+)\s*$", str(exc.args[1]) if len(exc.args) > 1 else "")
                return self.error_text(exc), int(found.group(1)) if found else 1
            return None
        query(conn, "DEALLOCATE PREPARE stanchion_syntax_check")
        return None

    def error_text(self, exc: BaseException) -> str:
        code = self._error_code(exc)
        args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
        if code is not None and len(args) > 1:
            return f"ERROR {code}: {' '.join(str(args[1]).split())}"
        return super().error_text(exc)

    def _lock_name(self) -> str:
        return f"stanchion_migrations:{self.url.database or ''}"[:64]

    def lock(self, conn: Connection, wait_seconds: float) -> None:
        got = query(conn, "SELECT GET_LOCK(%s, %s)", (self._lock_name(), max(0.0, wait_seconds)))[0][0]
        if got != 1:
            raise EnvironmentProblem(
                f"another migration run holds the lock on {self.url.location} (waited {wait_seconds:g}s)",
                "wait for it to finish, or raise --lock-wait",
            )

    def unlock(self, conn: Connection) -> None:
        query(conn, "SELECT RELEASE_LOCK(%s)", (self._lock_name(),))

    def lock_is_free(self, conn: Connection) -> bool:
        return bool(query(conn, "SELECT IS_FREE_LOCK(%s)", (self._lock_name(),))[0][0] == 1)

    def timeout_statements(
        self, lock_timeout_ms: int | None, statement_timeout_ms: int | None, local: bool = False
    ) -> list[str]:
        out = []
        if lock_timeout_ms is not None:
            seconds = max(1, round(lock_timeout_ms / 1000))
            out += [
                f"SET SESSION lock_wait_timeout = {seconds}",
                f"SET SESSION innodb_lock_wait_timeout = {seconds}",
            ]
        if statement_timeout_ms is not None:
            if self.mariadb:
                out.append(f"SET SESSION max_statement_time = {statement_timeout_ms / 1000:g}")
            else:
                out.append(f"SET SESSION max_execution_time = {int(statement_timeout_ms)}")
        return out

    def reset_timeout_statements(self) -> list[str]:
        out = ["SET SESSION lock_wait_timeout = DEFAULT", "SET SESSION innodb_lock_wait_timeout = DEFAULT"]
        out.append(
            "SET SESSION max_statement_time = DEFAULT"
            if self.mariadb
            else "SET SESSION max_execution_time = DEFAULT"
        )
        return out

    def history_ddl(self, table: str) -> str:
        return f"""CREATE TABLE IF NOT EXISTS {table} (
    version VARCHAR(191) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    checksum CHAR(64) NOT NULL,
    status VARCHAR(20) NOT NULL,
    applied_at DATETIME(6) NOT NULL,
    duration_ms BIGINT NOT NULL,
    applied_by VARCHAR(255) NOT NULL,
    statement INT NULL,
    error TEXT NULL,
    up_sql LONGTEXT NOT NULL,
    down_sql LONGTEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""

    def table_exists(self, conn: Connection, table: str) -> bool:
        rows = query(
            conn,
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = %s",
            (table,),
        )
        return bool(rows)

    def current_user(self, conn: Connection) -> str:
        return str(query(conn, "SELECT CURRENT_USER()")[0][0])

    def snapshot(self, conn: Connection, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        where = "table_schema = DATABASE()"
        parts = {
            "columns": query(
                conn,
                f"SELECT table_name, column_name, ordinal_position, column_type, is_nullable, "
                f"column_default, extra FROM information_schema.columns WHERE {where} ORDER BY 1, 3",
            ),
            "indexes": query(
                conn,
                f"SELECT table_name, index_name, seq_in_index, column_name, non_unique "
                f"FROM information_schema.statistics WHERE {where} ORDER BY 1, 2, 3",
            ),
            "constraints": query(
                conn,
                f"SELECT table_name, constraint_name, constraint_type FROM information_schema.table_constraints "
                f"WHERE {where} ORDER BY 1, 2",
            ),
            "foreign_keys": query(
                conn,
                "SELECT table_name, constraint_name, referenced_table_name, update_rule, delete_rule "
                "FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() "
                "ORDER BY 1, 2",
            ),
            "views": query(
                conn,
                f"SELECT table_name, view_definition FROM information_schema.views WHERE {where} ORDER BY 1",
            ),
            "routines": query(
                conn,
                "SELECT routine_name, routine_type, routine_definition FROM information_schema.routines "
                "WHERE routine_schema = DATABASE() ORDER BY 1, 2",
            ),
            "triggers": query(
                conn,
                "SELECT trigger_name, event_object_table, action_statement FROM information_schema.triggers "
                "WHERE trigger_schema = DATABASE() ORDER BY 1",
            ),
        }
        return {
            key: [list(row) for row in rows if not (exclude and str(row[0]) in exclude)]
            for key, rows in parts.items()
        }
