"""Statement splitting the way each database parses: never on a semicolon inside a string, a comment, a
dollar-quoted body, a trigger body or a stored-program block."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanchion.db.dialects import dialect_for
from stanchion.db.migrations.execute import split_section
from stanchion.db.migrations.files import read_file
from stanchion.errors import UsageError


def split(url: str, sql: str) -> list[tuple[str, int]]:
    return [(s.sql, s.line) for s in dialect_for(url).split(sql)]


def test_postgresql_dollar_quotes_strings_and_comments() -> None:
    sql = (
        "-- leading; comment\n"
        "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$\nBEGIN\n  RETURN 'a;b';\nEND;\n$fn$;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "/* outer /* nested; */ still comment; */\n"
        "INSERT INTO t VALUES (E'it\\'s;', 'x'';y');\n"
        'SELECT 1 AS "semi;colon"'
    )
    statements = split("postgresql://u@h/db", sql)
    assert [line for _, line in statements] == [2, 7, 9, 10]
    assert statements[0][0].endswith("$fn$") and "RETURN 'a;b';" in statements[0][0]
    assert statements[2][0] == "INSERT INTO t VALUES (E'it\\'s;', 'x'';y')"
    assert statements[3][0] == 'SELECT 1 AS "semi;colon"'


def test_sqlite_trigger_bodies_stay_whole() -> None:
    sql = (
        "CREATE TABLE t (a TEXT DEFAULT 'x;y');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  INSERT INTO t VALUES ('1;');\n  SELECT 1;\nEND;\n"
        "-- only a comment; here\n"
    )
    statements = split("sqlite:///:memory:", sql)
    assert [line for _, line in statements] == [1, 2]
    assert statements[1][0].endswith("END")


def test_mysql_stored_program_blocks() -> None:
    sql = (
        "CREATE TABLE t (a VARCHAR(10) DEFAULT 'x;y'); # hash; comment\n"
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n"
        "  SET NEW.a = CASE WHEN NEW.a IS NULL THEN 'n;' ELSE NEW.a END;\n"
        "  WHILE 0 DO SET @x = 1; END WHILE;\nEND;\n"
        "INSERT INTO t VALUES ('z');"
    )
    statements = split("mysql://u@h/db", sql)
    assert [line for _, line in statements] == [1, 2, 7]
    assert statements[1][0].endswith("END")


def test_postgresql_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "001_bad.sql"
    path.write_text("-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLEX b (id int);\n")
    with pytest.raises(UsageError, match=r"001_bad.sql:3: syntax error at or near \"TABLEX\""):
        split_section(dialect_for("postgresql://u@h/db"), read_file(path), "up")


def test_unterminated_string_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "001_bad.sql"
    path.write_text("-- migrate:up\nINSERT INTO t VALUES ('open);\n")
    with pytest.raises(UsageError, match=r"001_bad\.sql: cannot tokenize SQL"):
        split_section(dialect_for("sqlite:///:memory:"), read_file(path), "up")


TEXT = st.text(alphabet=st.sampled_from(list("ab;'\"-/*$ \n\\é")), max_size=12)


def quoted(value: str, backslash_escapes: bool) -> str:
    body = value.replace("'", "''")
    if backslash_escapes:
        body = body.replace("\\", "\\\\")
    return f"'{body}'"


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "postgresql://u@h/db", "mysql://u@h/db"])
@settings(max_examples=60, deadline=None)
@given(values=st.lists(TEXT, min_size=1, max_size=5), comments=st.lists(TEXT, max_size=3))
def test_semicolons_in_strings_and_comments_never_split(
    url: str, values: list[str], comments: list[str]
) -> None:
    mysql = url.startswith("mysql")
    statements = [f"INSERT INTO t VALUES ({quoted(v, mysql)})" for v in values]
    script = ""
    for index, statement in enumerate(statements):
        note = comments[index] if index < len(comments) else ""
        safe_note = note.replace("*/", "").replace("/*", "").replace("\n", " ")
        script += f"/* {safe_note} */\n{statement};\n-- {safe_note}\n"
    assert [s.sql for s in dialect_for(url).split(script)] == statements
