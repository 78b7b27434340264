"""What a lint rule sees: one migration's statements in order (parsed by PostgreSQL's own parser, or
sqlglot for SQLite and MySQL), what earlier statements of the file did (``facts``), the transaction each
statement runs in, and optionally the live database: its schema model, which tables are empty, each
table's size and row estimate, function volatility (``pg_proc``) and the server version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from stanchion.db.lint.facts import FileFacts, TypeKey, live_type_key

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stanchion.db.lint.live import LiveFacts
    from stanchion.db.schema.model import Table

ASSUMED_PG_MAJOR = 13
"""The PostgreSQL release assumed without a database URL (the oldest one still supported): rules whose
answer depends on the version (a non-volatile default is free since 11, SET NOT NULL after a validated
check and REINDEX CONCURRENTLY since 12) take this one's."""

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class LintRuleInfo:
    id: str
    severity: Severity
    dialects: tuple[str, ...] = ("postgresql",)
    size_sensitive: bool = False  # harmless on an empty table: severity drops to info when the table is empty


@dataclass
class Stmt:
    node: Any  # pglast.ast.Node for PostgreSQL, sqlglot.exp.Expression otherwise (None if sqlglot gave up)
    sql: str
    line: int
    column: int
    index: int = 0  # position in the migration, 0-based
    offset: int = 0  # character offset of its start in the file (pglast node locations count from there)

    @property
    def end_line(self) -> int:
        return self.line + self.sql.count("\n")


@dataclass
class LintFinding:
    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    table: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "table": self.table,
            "note": self.note,
        }


@dataclass
class LintContext:
    path: str
    dialect: str
    statements: list[Stmt]
    in_transaction: bool = True  # the runner wraps the migration in a transaction
    runner_lock_timeout_ms: int | None = (
        None  # the lock_timeout Stanchion's runner sets (None: unknown or none)
    )
    live_facts: LiveFacts | None = None
    facts: FileFacts = field(default_factory=FileFacts)
    syntax_errors: list[LintFinding] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # table -> index of the statement creating it
    indexed: dict[str, list[list[str]]] = field(default_factory=dict)  # table -> leading columns of indexes

    @property
    def live(self) -> Any:
        """The live schema model (``stanchion.db.schema.model.Schema``) or None."""
        return self.live_facts.schema if self.live_facts is not None else None

    @property
    def pg_major(self) -> int:
        """The live server's major version, else :data:`ASSUMED_PG_MAJOR`."""
        if self.live_facts is not None and self.live_facts.major:
            return self.live_facts.major
        return ASSUMED_PG_MAJOR

    def finding(
        self, info: LintRuleInfo, stmt: Stmt, message: str, table: str | None = None, note: str | None = None
    ) -> LintFinding:
        return LintFinding(info.id, info.severity, self.path, stmt.line, stmt.column, message, table, note)

    def is_new(self, table: str | None, stmt: Stmt) -> bool:
        """True when ``table`` is created by a statement before ``stmt`` in this same migration (nothing
        else can be reading it)."""
        return table is not None and self.created.get(table, stmt.index) < stmt.index

    def live_table(self, table: str) -> Table | None:
        live = self.live
        return live.tables.get(table) if live is not None else None

    def column_type(self, table: str, column: str, stmt: Stmt) -> TypeKey | None:
        """The column's type just before ``stmt``: as an earlier statement declared or changed it, else
        as the live database has it; None when neither says."""
        earlier = [key for index, key in self.facts.types.get((table, column), []) if index < stmt.index]
        if earlier:
            return earlier[-1]
        live = self.live_table(table)
        found = live.column(column) if live is not None else None
        return live_type_key(found.type) if found is not None else None

    def not_null_proven(self, table: str, column: str, stmt: Stmt) -> bool:
        """True when, before ``stmt``, a validated ``CHECK (column IS NOT NULL)`` exists (added earlier in
        the file or live), or the live column is already NOT NULL."""
        for con in self.facts.constraints:
            validated = con.validated_at
            if (
                con.table == table
                and con.not_null_column == column
                and validated is not None
                and validated < stmt.index
            ):
                return True
        live = self.live_table(table)
        found = live.column(column) if live is not None else None
        return found is not None and not found.nullable and table not in self.created

    def transaction_of(self, stmt: Stmt) -> int | None:
        """The transaction ``stmt`` runs in under Stanchion's runner: 0 for the migration's own, a
        positive id for an explicit BEGIN block, None when it runs on its own (autocommit)."""
        if self.dialect != "postgresql" or stmt.index >= len(self.facts.transaction):
            return 0 if self.in_transaction else None
        return self.facts.transaction[stmt.index]

    def lock_timeout_before(self, stmt: Stmt) -> bool:
        return self.facts.lock_timeout_at is not None and self.facts.lock_timeout_at < stmt.index

    def has_index(self, table: str, columns: list[str]) -> bool:
        wanted = set(columns)
        leads = list(self.indexed.get(table, []))
        live = self.live_table(table)
        if live is not None:
            leads += [i.columns for i in live.indexes if i.valid and i.where is None]
        return any(set(lead[: len(columns)]) == wanted for lead in leads)


class LintRule(Protocol):
    RULE: LintRuleInfo
    __doc__: str | None

    def check(self, ctx: LintContext) -> Iterable[LintFinding]: ...


# -- PostgreSQL helpers (pglast) -----------------------------------------------------------------------


def pg_alter_cmds(ctx: LintContext) -> Iterator[tuple[Stmt, str, Any]]:
    """(statement, table, AlterTableCmd) for every ALTER TABLE command of the migration."""
    from pglast import ast

    for stmt in ctx.statements:
        node: Any = stmt.node
        if isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            for cmd in node.cmds or ():
                yield stmt, str(node.relation.relname), cmd


def pg_column_defs(ctx: LintContext) -> Iterator[tuple[Stmt, str, Any]]:
    """(statement, table, ColumnDef) for columns in CREATE TABLE and ALTER TABLE ... ADD COLUMN."""
    from pglast import ast
    from pglast.enums import AlterTableType

    for stmt in ctx.statements:
        node: Any = stmt.node
        if isinstance(node, ast.CreateStmt) and node.relation is not None:
            for element in node.tableElts or ():
                if isinstance(element, ast.ColumnDef):
                    yield stmt, str(node.relation.relname), element
    for stmt, table, cmd in pg_alter_cmds(ctx):
        if cmd.subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            yield stmt, table, cmd.def_


def pg_declared_types(ctx: LintContext) -> Iterator[tuple[Stmt, str, str, Any]]:
    """(statement, table, column name, ColumnDef) for every type a column is given: CREATE TABLE, ADD
    COLUMN and ALTER COLUMN ... TYPE."""
    from pglast import ast
    from pglast.enums import AlterTableType

    for stmt, table, column in pg_column_defs(ctx):
        yield stmt, table, str(column.colname), column
    for stmt, table, cmd in pg_alter_cmds(ctx):
        if cmd.subtype == AlterTableType.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
            yield stmt, table, str(cmd.name), cmd.def_


def pg_type_name(column: Any) -> str:
    """The last name of a ColumnDef's type (``int4``, ``varchar``, ``serial``, ``timestamp``)."""
    names = column.typeName.names if column.typeName is not None else ()
    return str(names[-1].sval).lower() if names else ""


SERIAL_TYPES = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})


def pg_walk(node: object) -> Iterator[object]:
    """``node`` and every node below it (pglast)."""
    from pglast import ast

    yield node
    if isinstance(node, ast.Node):
        for name in node:
            value = getattr(node, name)
            if isinstance(value, tuple):
                for item in value:
                    yield from pg_walk(item)
            elif isinstance(value, ast.Node):
                yield from pg_walk(value)


def pg_string_list(nodes: Any) -> list[str]:
    return [str(n.sval) for n in nodes or ()]


# -- SQLite / MySQL helpers (sqlglot) ------------------------------------------------------------------


def glot_alter_actions(ctx: LintContext) -> Iterator[tuple[Stmt, str, Any]]:
    from sqlglot import exp

    for stmt in ctx.statements:
        if isinstance(stmt.node, exp.Alter) and stmt.node.this is not None:
            for action in stmt.node.args.get("actions") or []:
                yield stmt, stmt.node.this.name, action


SUPPRESS = re.compile(r"--\s*stanchion:ignore\s+(?P<ids>[a-z0-9,\- ]+?)(?:\s*(?:--|:)\s*(?P<reason>.*))?$")
