"""Introspection: a fixed number of catalog queries whatever the table count, the same model through
every dialect, and the seed-compatible entry points."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pymysql
import pytest
from sqlalchemy import event

from stanchion.db.schema.introspect import introspect
from stanchion.db.schema.load import detect_dialect, split_statements
from stanchion.db.schema.seed import run_seed
from stanchion.db.schema.source import connect, read_schema
from stanchion.db.url import parse_url
from stanchion.errors import UsageError
from tests.support.servers import MariaDBServer


def _count_queries(url: str, schema: str | None = None) -> tuple[int, int]:
    with connect(parse_url(url)) as conn:
        seen: list[str] = []
        event.listen(conn, "before_cursor_execute", lambda *args: seen.append(args[2]))
        model = introspect(conn, schema)
    return len(model.tables), len(seen)


@pytest.mark.parametrize("tables", [3, 60])
def test_postgres_catalog_queries_do_not_grow_with_tables(pg_url: str, tables: int) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for n in range(tables):
            conn.execute(
                f"CREATE TABLE t{n} (id bigint PRIMARY KEY, parent bigint REFERENCES t0 (id), v text)"
            )
            conn.execute(f"CREATE INDEX t{n}_v ON t{n} (v)")
    found, queries = _count_queries(pg_url)
    assert found == tables
    assert queries == 9  # search_path + eight bulk catalog queries


def test_sqlite_and_mysql_models(tmp_path: Path, mariadb_server: MariaDBServer, mariadb_url: str) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'app.db'}"
    ddl = (
        "CREATE TABLE author (id {pk}, name varchar(50) NOT NULL);\n"
        "CREATE TABLE book (id {pk}, author_id bigint NOT NULL, title varchar(100) DEFAULT 'x',"
        " FOREIGN KEY (author_id) REFERENCES author (id));\n"
        "CREATE UNIQUE INDEX book_title ON book (title);\n"
        "CREATE VIEW titles AS SELECT title FROM book;\n"
    )
    with connect(parse_url(sqlite_url)) as conn:
        for stmt in split_statements(ddl.format(pk="INTEGER PRIMARY KEY"), "sqlite"):
            conn.exec_driver_sql(stmt.sql)
    name = mariadb_url.rsplit("/", 1)[1]
    my = pymysql.connect(
        host="127.0.0.1", port=mariadb_server.port, user="stanchion", password="stanchion", database=name
    )
    with my.cursor() as cur:
        for stmt in split_statements(ddl.format(pk="bigint AUTO_INCREMENT PRIMARY KEY"), "mysql"):
            cur.execute(stmt.sql)
    my.commit()
    my.close()
    for url in (sqlite_url, mariadb_url):
        model = read_schema(url)
        book = model.tables["book"]
        assert book.primary_key is not None and book.primary_key.columns == ["id"]
        assert [(fk.columns, fk.ref_table, fk.ref_columns) for fk in book.foreign_keys] == [
            (["author_id"], "author", ["id"])
        ]
        assert any(i.unique and i.columns == ["title"] for i in book.indexes)
        assert "titles" in model.views
        assert model.catalog_queries in (5, 8)


def test_detect_dialect_and_split_positions() -> None:
    assert detect_dialect("CREATE TABLE t (id int AUTO_INCREMENT) ENGINE=InnoDB;") == "mysql"
    assert detect_dialect("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);") == "sqlite"
    assert detect_dialect("CREATE TABLE t (id bigserial, at timestamptz);") == "postgresql"
    stmts = split_statements("-- c\nSELECT 1;\n\n  SELECT 'a;b';\n", "postgresql")
    assert [(s.sql, s.line, s.column) for s in stmts] == [("SELECT 1", 2, 1), ("SELECT 'a;b'", 4, 3)]


def test_seed_compatible_forms(tmp_path: Path) -> None:
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n")
    new.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);\nCREATE INDEX t_w ON t (w);\n")
    analysis = run_seed(schema_file=str(old), analyze=True, dialect="sqlite")
    assert analysis.dialect == "sqlite" and analysis.tables == 1
    compared = run_seed(schema_file=str(old), compare=str(new), output=str(tmp_path / "m"), dialect="sqlite")
    assert compared.verification.verified and compared.files
    assert "ALTER TABLE t ADD COLUMN w TEXT" in Path(compared.files[0]).read_text()
    with pytest.raises(UsageError):
        run_seed(schema_file=str(old), analyze=True, compare=str(new))
    advice = run_seed(schema_file=str(old), suggest_indexes=True)  # structural advice: no foreign keys here
    assert advice.suggestions == [] and advice.examined == 0
