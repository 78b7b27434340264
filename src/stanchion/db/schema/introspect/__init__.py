"""Read a live database into the schema model with a fixed number of bulk catalog queries per dialect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stanchion.errors import EnvironmentProblem

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from stanchion.db.schema.model import Schema


def introspect(conn: Connection, schema: str | None = None) -> Schema:
    """The schema of the database ``conn`` is connected to (PostgreSQL ``schema``, default ``public``)."""
    name = conn.dialect.name
    if name == "postgresql":
        from stanchion.db.schema.introspect.postgresql import introspect as pg

        return pg(conn, schema or "public")
    if name == "sqlite":
        from stanchion.db.schema.introspect.sqlite import introspect as lite

        return lite(conn)
    if name in ("mysql", "mariadb"):
        from stanchion.db.schema.introspect.mysql import introspect as my

        return my(conn)
    raise EnvironmentProblem(f"schema introspection does not support the {name} dialect")
