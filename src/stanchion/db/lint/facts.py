"""What earlier statements of a PostgreSQL migration did, read in order, so that a rule looking at one
statement knows the file's state just before it.

One pass over the parsed statements records, with the index of the statement that made each true: the
tables the file creates, each column's type as the file declares or changes it, the constraints it adds
(and whether they are validated, and which column a ``CHECK (col IS NOT NULL)`` covers), whether
``lock_timeout`` is set, and which transaction each statement runs in under Stanchion's runner (the
migration's own transaction, an explicit ``BEGIN`` block of a ``transaction:false`` file, or none). A
query asks "before statement *i*", so a fact that only a later statement establishes never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# pglast type names and format_type() spellings, to one key per type
_CANONICAL = {
    "character varying": "varchar",
    "varchar": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "bpchar": "bpchar",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "boolean": "bool",
    "double precision": "float8",
    "real": "float4",
    "decimal": "numeric",
    "bit varying": "varbit",
}


@dataclass(frozen=True)
class TypeKey:
    """A column type reduced to what decides whether changing it rewrites the table."""

    base: str
    mods: tuple[int, ...] = ()
    array: bool = False

    def __str__(self) -> str:
        mods = f"({', '.join(map(str, self.mods))})" if self.mods else ""
        return f"{self.base}{mods}{'[]' if self.array else ''}"


def pg_type_key(type_name: Any) -> TypeKey:
    """The key of a pglast ``TypeName``."""
    names = [str(n.sval).lower() for n in type_name.names or ()]
    base = names[-1] if names else ""
    mods: list[int] = []
    for mod in type_name.typmods or ():
        value = getattr(getattr(mod, "val", None), "ival", None)
        if isinstance(value, int):
            mods.append(value)
    return TypeKey(_CANONICAL.get(base, base), tuple(mods), bool(type_name.arrayBounds))


def live_type_key(text: str) -> TypeKey:
    """The key of a type as ``format_type()`` prints it (``character varying(50)``, ``numeric(10,2)[]``)."""
    text = text.strip().lower()
    array = text.endswith("[]")
    text = text.removesuffix("[]")
    found = re.search(r"\(([\d,\s]+)\)", text)
    mods = tuple(int(m) for m in found.group(1).split(",")) if found else ()
    base = " ".join(re.sub(r"\([\d,\s]+\)", " ", text).split())
    return TypeKey(_CANONICAL.get(base, base), mods, array)


@dataclass
class Constraint:
    table: str
    name: str | None
    kind: str  # "check", "foreign", "unique", "primary", ...
    added: int  # index of the statement that added it (-1: in the live database)
    validated_at: int | None  # index of the statement that validated it; -1 live; None not validated
    not_null_column: str | None = None  # the column of a CHECK (col IS NOT NULL)
    columns: list[str] = field(default_factory=list)  # the key columns of a primary key or unique constraint


@dataclass
class FileFacts:
    created: dict[str, int] = field(default_factory=dict)  # table -> index of its CREATE TABLE
    types: dict[tuple[str, str], list[tuple[int, TypeKey]]] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    lock_timeout_at: int | None = None
    transaction: list[int | None] = field(default_factory=list)  # per statement: its transaction id
    stripped: set[int] = field(default_factory=set)  # BEGIN/COMMIT the runner drops (whole-file wrapper)
    explicit_blocks: set[int] = field(default_factory=set)  # statements inside a BEGIN ... COMMIT of the file


def not_null_column(expr: Any) -> str | None:
    """``col`` when ``expr`` is exactly ``col IS NOT NULL``."""
    from pglast import ast
    from pglast.enums import NullTestType

    if (
        isinstance(expr, ast.NullTest)
        and expr.nulltesttype == NullTestType.IS_NOT_NULL
        and isinstance(expr.arg, ast.ColumnRef)
    ):
        fields = expr.arg.fields or ()
        last = fields[-1] if fields else None
        return str(last.sval) if isinstance(last, ast.String) else None
    return None


def _constraint(table: str, con: Any, index: int, column: str | None = None) -> Constraint:
    from pglast.enums import ConstrType

    kinds = {
        ConstrType.CONSTR_CHECK: "check",
        ConstrType.CONSTR_FOREIGN: "foreign",
        ConstrType.CONSTR_UNIQUE: "unique",
        ConstrType.CONSTR_PRIMARY: "primary",
        ConstrType.CONSTR_EXCLUSION: "exclusion",
    }
    kind = kinds.get(con.contype, "other")
    checked = not_null_column(con.raw_expr) if kind == "check" else None
    validated = None if con.skip_validation else index
    keys = [str(k.sval) for k in con.keys or ()] or (
        [column] if column and kind in ("primary", "unique") else []
    )
    return Constraint(table, con.conname, kind, index, validated, checked, keys)


def _first_word(node: Any) -> str:
    from pglast import ast
    from pglast.enums import TransactionStmtKind as K

    if isinstance(node, ast.TransactionStmt):
        if node.kind in (K.TRANS_STMT_BEGIN, K.TRANS_STMT_START):
            return "begin"
        if node.kind in (K.TRANS_STMT_COMMIT, K.TRANS_STMT_ROLLBACK):
            return "commit"
    return ""


def collect(nodes: list[Any], in_transaction: bool, known: list[Constraint] | None = None) -> FileFacts:
    """The facts of one migration's parsed statements (``None`` for a statement that did not parse);
    ``known`` are the live database's constraints, which a ``VALIDATE CONSTRAINT`` here may validate."""
    from pglast import ast
    from pglast.enums import AlterTableType

    facts = FileFacts(constraints=list(known or ()))
    words = [_first_word(n) for n in nodes]
    if len(nodes) >= 2 and words[0] == "begin" and words[-1] == "commit":
        facts.stripped = {0, len(nodes) - 1}  # the runner drops a BEGIN ... COMMIT around the whole file
    current: int | None = 0 if in_transaction else None
    next_id = 1
    explicit = False
    for index, node in enumerate(nodes):
        word = "" if index in facts.stripped else words[index]
        if word == "begin":
            if current is None:
                current, next_id = next_id, next_id + 1
            explicit = explicit or not in_transaction
        facts.transaction.append(current)
        if explicit:
            facts.explicit_blocks.add(index)
        if word == "commit":
            current, explicit = None, False
        if (
            isinstance(node, ast.VariableSetStmt)
            and node.name == "lock_timeout"
            and facts.lock_timeout_at is None
        ):
            facts.lock_timeout_at = index
        elif isinstance(node, ast.CreateTableAsStmt) and node.into is not None and node.into.rel is not None:
            facts.created.setdefault(str(node.into.rel.relname), index)  # CREATE TABLE AS, MATERIALIZED VIEW
        elif isinstance(node, ast.CreateStmt) and node.relation is not None:
            table = str(node.relation.relname)
            facts.created.setdefault(table, index)
            for element in node.tableElts or ():
                if isinstance(element, ast.ColumnDef) and element.typeName is not None:
                    facts.types.setdefault((table, str(element.colname)), []).append(
                        (index, pg_type_key(element.typeName))
                    )
                    for con in element.constraints or ():
                        if con.contype.name in (
                            "CONSTR_CHECK",
                            "CONSTR_FOREIGN",
                            "CONSTR_UNIQUE",
                            "CONSTR_PRIMARY",
                        ):
                            facts.constraints.append(_constraint(table, con, index, str(element.colname)))
                elif isinstance(element, ast.Constraint):
                    facts.constraints.append(_constraint(table, element, index))
        elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            table = str(node.relation.relname)
            for cmd in node.cmds or ():
                definition: Any = cmd.def_
                if cmd.subtype == AlterTableType.AT_AddColumn and isinstance(definition, ast.ColumnDef):
                    if definition.typeName is not None:
                        facts.types.setdefault((table, str(definition.colname)), []).append(
                            (index, pg_type_key(definition.typeName))
                        )
                    for con in definition.constraints or ():
                        if con.contype.name in (
                            "CONSTR_CHECK",
                            "CONSTR_FOREIGN",
                            "CONSTR_UNIQUE",
                            "CONSTR_PRIMARY",
                        ):
                            facts.constraints.append(_constraint(table, con, index, str(definition.colname)))
                elif cmd.subtype == AlterTableType.AT_AlterColumnType and isinstance(
                    definition, ast.ColumnDef
                ):
                    facts.types.setdefault((table, str(cmd.name)), []).append(
                        (index, pg_type_key(definition.typeName))
                    )
                elif cmd.subtype == AlterTableType.AT_AddConstraint and isinstance(
                    definition, ast.Constraint
                ):
                    facts.constraints.append(_constraint(table, definition, index))
                elif cmd.subtype == AlterTableType.AT_ValidateConstraint:
                    for con in facts.constraints:
                        if con.table == table and con.name == cmd.name and con.validated_at is None:
                            con.validated_at = index
    return facts
