"""The one schema model: what analyze, diff, lint and from-db all read.

Introspection (``stanchion.db.schema.introspect``) fills it from a live database with a fixed number of bulk
catalog queries; ``ddl`` renders it back to SQL; ``diff`` compares two of them. Names are unqualified within
one schema (PostgreSQL ``public`` by default, the MySQL database, SQLite ``main``). Expressions (defaults,
checks, view bodies, index definitions) are kept as the database prints them, so two schemas that went
through the same database compare equal when they mean the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DialectName = Literal["postgresql", "sqlite", "mysql"]


@dataclass
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: str | None = None  # PostgreSQL: "always" / "by default"; MySQL/SQLite: "auto_increment"
    generated: str | None = None  # generated column expression, when the column is computed
    local: bool = True  # False: only inherited from a parent table (a partition's columns, INHERITS)

    def signature(self) -> tuple[Any, ...]:
        return (self.type, self.nullable, self.default, self.identity, self.generated)


@dataclass
class ForeignKey:
    name: str
    columns: list[str]
    ref_table: str
    ref_columns: list[str]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    validated: bool = True
    deferrable: str | None = None  # PostgreSQL: "DEFERRABLE INITIALLY DEFERRED" / "... IMMEDIATE"

    def signature(self) -> tuple[Any, ...]:
        return (
            tuple(self.columns),
            self.ref_table,
            tuple(self.ref_columns),
            self.on_delete,
            self.on_update,
            self.deferrable,
        )


@dataclass
class Unique:
    name: str
    columns: list[str]
    deferrable: str | None = None

    def signature(self) -> tuple[Any, ...]:
        return (tuple(self.columns), self.deferrable)


@dataclass
class Check:
    name: str
    expression: str  # the condition, without the CHECK keyword
    validated: bool = True

    def signature(self) -> tuple[Any, ...]:
        return (self.expression,)


@dataclass
class PrimaryKey:
    name: str
    columns: list[str]
    deferrable: str | None = None

    def signature(self) -> tuple[Any, ...]:
        return (tuple(self.columns), self.deferrable)


@dataclass
class Exclusion:
    """A PostgreSQL EXCLUDE constraint; ``definition`` as the database prints it (``EXCLUDE USING ...``)."""

    name: str
    definition: str

    def signature(self) -> tuple[Any, ...]:
        return (self.definition,)


@dataclass
class Index:
    name: str
    table: str
    columns: list[str]  # column names, or the expression text for expression keys
    unique: bool = False
    method: str = "btree"
    where: str | None = None
    valid: bool = True
    constraint: str | None = None  # set when the index backs a PRIMARY KEY / UNIQUE constraint
    definition: str | None = None  # CREATE INDEX statement as the database prints it
    scans: int | None = None  # times used since stats reset (PostgreSQL)
    size_bytes: int | None = None
    include: list[str] = field(default_factory=list)

    def signature(self) -> tuple[Any, ...]:
        return (tuple(self.columns), self.unique, self.method, self.where, tuple(self.include))


@dataclass
class TableStats:
    rows: int | None = None  # the planner's estimate
    size_bytes: int | None = None
    seq_scan: int | None = None
    seq_tup_read: int | None = None
    idx_scan: int | None = None


@dataclass
class Table:
    name: str
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[Unique] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    stats: TableStats = field(default_factory=TableStats)
    partition_of: str | None = None  # parent table, for a partition
    partition_bound: str | None = None  # "FOR VALUES ..." of a partition
    partition_key: str | None = None  # "RANGE (col)" of a partitioned table
    inherits: list[str] = field(default_factory=list)  # parents of a table created with INHERITS
    triggers: dict[str, str] = field(default_factory=dict)  # SQLite: name -> CREATE TRIGGER as written

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class View:
    name: str
    definition: str
    depends_on: list[str] = field(default_factory=list)  # tables and views it reads
    materialized: bool = False
    indexes: list[Index] = field(default_factory=list)  # of a materialized view


@dataclass
class Sequence:
    name: str
    type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int | None = None
    max_value: int | None = None
    last_value: int | None = None
    owned_by: str | None = None  # "table.column"
    identity: bool = False  # backs an identity column (managed with the column, never on its own)

    def signature(self) -> tuple[Any, ...]:
        return (self.type, self.start, self.increment, self.min_value, self.max_value)


@dataclass
class Enum:
    name: str
    labels: list[str]


@dataclass
class Extension:
    name: str
    schema: str  # where its objects live
    version: str | None = None


@dataclass
class Schema:
    dialect: DialectName
    name: str = "public"
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)  # every extension of the database
    server_version: str | None = None
    stats_reset: str | None = None  # when the usage statistics were last reset (ISO 8601), if known
    catalog_queries: int = 0  # how many catalog round trips introspection took
    not_modelled: dict[str, int] = field(default_factory=dict)  # objects of kinds outside the model, by kind

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["tables"] = list(document["tables"].values())
        document["views"] = list(document["views"].values())
        document["sequences"] = list(document["sequences"].values())
        document["enums"] = list(document["enums"].values())
        document["extensions"] = list(document["extensions"].values())
        return document

    def referencing(self, table: str) -> list[tuple[Table, ForeignKey]]:
        """Every foreign key that points at ``table``."""
        return [(t, fk) for t in self.tables.values() for fk in t.foreign_keys if fk.ref_table == table]
