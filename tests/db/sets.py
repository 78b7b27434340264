"""Migration sets used across the db tests: one per engine, written as dbmate-style files.

Each set exercises what breaks naive runners: semicolons inside strings and comments, PostgreSQL
dollar-quoted function bodies, SQLite trigger bodies, MySQL stored-program bodies, and (PostgreSQL) a
no-transaction ``CREATE INDEX CONCURRENTLY``.
"""

from __future__ import annotations

from pathlib import Path

SETS: dict[str, list[tuple[str, str, str, str]]] = {
    # (version_name, up options, up, down)
    "sqlite": [
        (
            "001_authors",
            "",
            "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'anon; really');\n"
            "-- a comment; with a semicolon\n"
            "INSERT INTO authors (name) VALUES ('semi;colon');",
            "DROP TABLE authors;",
        ),
        (
            "002_books",
            "",
            "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id),\n"
            "  title TEXT NOT NULL, updated TEXT);\n"
            "CREATE INDEX books_author ON books (author_id);\n"
            "CREATE TRIGGER books_touch AFTER UPDATE ON books BEGIN\n"
            "  UPDATE books SET updated = 'now;' WHERE id = NEW.id;\n"
            "END;",
            "DROP TRIGGER books_touch;\nDROP INDEX books_author;\nDROP TABLE books;",
        ),
        (
            "003_view",
            "",
            "CREATE VIEW book_titles AS SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id;",
            "DROP VIEW book_titles;",
        ),
    ],
    "postgresql": [
        (
            "001_authors",
            "",
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
            "CREATE TABLE authors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
            "  name text NOT NULL DEFAULT 'anon; really', mood mood);\n"
            "/* block comment; with semicolon */\n"
            "INSERT INTO authors (name) VALUES ('semi;colon');",
            "DROP TABLE authors;\nDROP TYPE mood;",
        ),
        (
            "002_books",
            "",
            "CREATE TABLE books (id serial PRIMARY KEY, author_id bigint NOT NULL REFERENCES authors(id),\n"
            "  title text NOT NULL, updated_at timestamptz);\n"
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
            "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$body$;\n"
            "CREATE TRIGGER books_touch BEFORE UPDATE ON books FOR EACH ROW EXECUTE FUNCTION touch();",
            "DROP TABLE books;\nDROP FUNCTION touch();",
        ),
        (
            "003_books_title_index",
            " transaction:false",
            "CREATE INDEX CONCURRENTLY books_title ON books (title);",
            "DROP INDEX CONCURRENTLY books_title;",
        ),
        (
            "004_view",
            "",
            "CREATE VIEW book_titles AS SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id;",
            "DROP VIEW book_titles;",
        ),
    ],
    "mysql": [
        (
            "001_authors",
            "",
            "CREATE TABLE authors (id BIGINT AUTO_INCREMENT PRIMARY KEY,\n"
            "  name VARCHAR(100) NOT NULL DEFAULT 'anon; really');\n"
            "# hash comment; with semicolon\n"
            "INSERT INTO authors (name) VALUES ('semi;colon');",
            "DROP TABLE authors;",
        ),
        (
            "002_books",
            "",
            "CREATE TABLE books (id BIGINT AUTO_INCREMENT PRIMARY KEY, author_id BIGINT NOT NULL,\n"
            "  title VARCHAR(200) NOT NULL, CONSTRAINT books_author FOREIGN KEY (author_id) REFERENCES authors(id));\n"
            "CREATE INDEX books_title ON books (title);\n"
            "CREATE PROCEDURE count_books(OUT n INT)\nBEGIN\n  SELECT COUNT(*) INTO n FROM books;\n"
            "  IF n > 10 THEN SET n = 10; END IF;\nEND;",
            "DROP PROCEDURE count_books;\nDROP TABLE books;",
        ),
        (
            "003_view",
            "",
            "CREATE VIEW book_titles AS SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id;",
            "DROP VIEW book_titles;",
        ),
    ],
}


def write_set(engine: str, folder: Path) -> list[Path]:
    """Write ``engine``'s migration set into ``folder``; returns the files in order."""
    paths = []
    for label, options, up, down in SETS[engine]:
        path = folder / f"{label}.sql"
        path.write_text(f"-- migrate:up{options}\n{up}\n\n-- migrate:down{options}\n{down}\n")
        paths.append(path)
    return paths


def write(folder: Path, label: str, up: str, down: str | None = "", options: str = "") -> Path:
    """One dbmate-style migration file."""
    path = folder / f"{label}.sql"
    body = f"-- migrate:up{options}\n{up}\n"
    if down is not None:
        body += f"\n-- migrate:down{options}\n{down}\n"
    path.write_text(body)
    return path
