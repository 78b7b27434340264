"""What a lint rule sees: one migration's statements (parsed by PostgreSQL's own parser, or sqlglot for
SQLite and MySQL), what the file itself creates, and optionally the live schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stanchion.db.schema.model import Schema

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
    live: Schema | None = None
    created_tables: set[str] = field(default_factory=set)
    indexed: dict[str, list[list[str]]] = field(default_factory=dict)  # table -> leading columns of indexes

    def finding(self, info: LintRuleInfo, stmt: Stmt, message: str, table: str | None = None) -> LintFinding:
        return LintFinding(info.id, info.severity, self.path, stmt.line, stmt.column, message, table)

    def is_new(self, table: str | None) -> bool:
        """True when ``table`` is created earlier in this same migration (nothing else can be reading it)."""
        return table is not None and table in self.created_tables

    def has_index(self, table: str, columns: list[str]) -> bool:
        wanted = set(columns)
        leads = list(self.indexed.get(table, []))
        if self.live is not None and table in self.live.tables:
            live = self.live.tables[table]
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


def pg_type_name(column: Any) -> str:
    """The last name of a ColumnDef's type (``int4``, ``varchar``, ``serial``, ``timestamp``)."""
    names = column.typeName.names if column.typeName is not None else ()
    return str(names[-1].sval).lower() if names else ""


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
