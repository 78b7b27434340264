"""Per-database behaviour behind one small interface (:class:`~stanchion.db.dialects.base.Dialect`).

Each dialect module is imported only when a URL of its kind is used.
"""

from __future__ import annotations

from stanchion.db.dialects.base import Dialect, Statement
from stanchion.db.url import DatabaseURL, parse_url

__all__ = ["Dialect", "Statement", "dialect_for"]


def dialect_for(url: DatabaseURL | str) -> Dialect:
    """The dialect object for ``url`` (parsed first when given as text)."""
    parsed = parse_url(url) if isinstance(url, str) else url
    if parsed.dialect == "postgresql":
        from stanchion.db.dialects.postgresql import PostgreSQLDialect

        return PostgreSQLDialect(parsed)
    if parsed.dialect == "mysql":
        from stanchion.db.dialects.mysql import MySQLDialect

        return MySQLDialect(parsed)
    from stanchion.db.dialects.sqlite import SQLiteDialect

    return SQLiteDialect(parsed)
