"""Small shared questions the analysis rules ask of the model."""

from __future__ import annotations

from stanchion.db.schema.ddl import ident, idents
from stanchion.db.schema.model import ForeignKey, Index, Table


def covering_index(table: Table, columns: list[str]) -> Index | None:
    """An index whose leading keys are exactly ``columns`` (in any order), usable for lookups on them."""
    wanted = set(columns)
    for index in table.indexes:
        lead = index.columns[: len(columns)]
        if set(lead) == wanted and index.where is None and index.valid:
            return index
    return None


def fk_index_sql(table: Table, fk: ForeignKey, dialect: str) -> str:
    name = f"{table.name}_{'_'.join(fk.columns)}_idx"
    concurrently = " CONCURRENTLY" if dialect == "postgresql" else ""
    return (
        f"CREATE INDEX{concurrently} {ident(name, dialect)} ON {ident(table.name, dialect)} "
        f"({idents(fk.columns, dialect)});"
    )
