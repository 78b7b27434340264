"""SQLite's table rebuild keeps what it must: the rows, the indexes, the triggers and the foreign keys
(both the table's own and those pointing at it), applied to a live database by the migration runner."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stanchion.cli.main import main

OLD = """
CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES author (id), title TEXT, pages INTEGER);
CREATE INDEX book_title ON book (title);
CREATE TABLE audit (book_id INTEGER, what TEXT);
CREATE TRIGGER book_added AFTER INSERT ON book BEGIN INSERT INTO audit VALUES (NEW.id, 'added'); END;
"""
NEW = OLD.replace("title TEXT, pages INTEGER", "title TEXT NOT NULL, pages INTEGER CHECK (pages > 0)")


def test_rebuild_keeps_rows_indexes_triggers_and_foreign_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD)
        conn.execute("INSERT INTO author VALUES (1, 'ann')")
        conn.execute("INSERT INTO book VALUES (1, 1, 'first', 10), (2, 1, 'second', 20)")
    conn.close()
    wanted = tmp_path / "new.sql"
    wanted.write_text(NEW)
    url, folder = f"sqlite:///{db}", tmp_path / "migrations"
    assert (
        main(
            ["db", "diff", "--from", url, "--to", str(wanted), "--dialect", "sqlite", "--output", str(folder)]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "_stanchion_new_book" in text and "-- verified:" in text
    assert main(["db", "migrate", "--database-url", url, "--dir", str(folder)]) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT id, author_id, title, pages FROM book ORDER BY id").fetchall() == [
            (1, 1, "first", 10),
            (2, 1, "second", 20),
        ]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'book'")}
        assert {"book", "book_title", "book_added"} <= names
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("INSERT INTO book VALUES (3, 1, 'third', 30)")
        assert conn.execute("SELECT what FROM audit WHERE book_id = 3").fetchall() == [("added",)]
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO book VALUES (4, 99, 'orphan', 1)")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO book VALUES (5, 1, 'bad', 0)")
    conn.close()
    assert main(["db", "diff", "--from", url, "--to", str(wanted), "--dialect", "sqlite", "--no-verify"]) == 0
    assert "same schema" in capsys.readouterr().out
